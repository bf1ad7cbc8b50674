"""The monitoring dashboard in the workspace: per agency, all agencies, as CSV and as a monthly PDF.

Who may read what is :mod:`grievances.monitoring.rules`. A signed-out visitor
is sent to sign in; a signed-in person who may not read a dashboard gets 403
when the agency is theirs (they know it exists) and 404 otherwise.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from grievances.monitoring import rules
from grievances.monitoring.exports import indicators_csv
from grievances.monitoring.forms import MonitoringFilterForm
from grievances.monitoring.indicators import Period, Scope, Sensitive, compute
from grievances.monitoring.presentation import figures, period_label, sections
from grievances.monitoring.reports import monthly_report_pdf
from grievances.monitoring.satisfaction import satisfaction_section
from grievances.rules import case_memberships
from portal.lib.params import year_month
from portal.models import Organization


def _monitoring(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


def _agency_or_refuse(request, slug: str) -> Organization:
    for agency in rules.dashboard_agencies(request.user):
        if agency.slug == slug:
            return agency
    if any(m.organization.slug == slug for m in case_memberships(request.user)):
        raise PermissionDenied
    raise Http404


def _scope(request, agency: Organization | None) -> tuple[MonitoringFilterForm, Scope]:
    today = timezone.localdate()
    sensitive = rules.sensitive_rule(request.user, agency.pk if agency is not None else None)
    form = MonitoringFilterForm(request.GET or None, today=today, sensitive_categories=sensitive == Sensitive.DETAIL)
    scope = Scope(
        agency_ids=(agency.pk,) if agency is not None else None,
        period=form.period(),
        today=today,
        filters=form.filters(),
        sensitive=sensitive,
    )
    return form, scope


@_monitoring
def index(request):
    """The dashboards this person may read; straight to the only one when there is one."""
    agencies = rules.dashboard_agencies(request.user)
    see_all = rules.can_view_all_agencies(request.user)
    if not agencies and not see_all:
        raise PermissionDenied
    if len(agencies) == 1 and not see_all:
        return redirect("workspace:monitoring:agency", agency=agencies[0].slug)
    return render(
        request,
        "grievances/monitoring/index.html",
        {"agencies": agencies, "see_all": see_all, "memberships": case_memberships(request.user)},
    )


# All agencies together read every case of the period (seconds at a million
# cases): oversight readers share the figures for a few minutes.
ALL_AGENCIES_CACHE_SECONDS = 300


def _figures(scope: Scope) -> dict:
    if scope.agency_ids is not None:
        return figures(compute(scope))
    # Per language: agency and region names in the figures are in the reader's.
    key = f"suara:monitoring:all:v2:{get_language()}:" + hashlib.sha256(repr(scope).encode()).hexdigest()
    data = cache.get(key)
    if data is None:
        data = figures(compute(scope))
        cache.set(key, data, ALL_AGENCIES_CACHE_SECONDS)
    return data


def _dashboard(request, agency: Organization | None):
    form, scope = _scope(request, agency)
    data = _figures(scope)
    query = request.GET.urlencode()
    return render(
        request,
        "grievances/monitoring/dashboard.html",
        {
            "agency": agency,
            "form": form,
            "scope": scope,
            "data": data,
            "period_label": period_label(data),
            "sections": [*sections(data), satisfaction_section(scope)],
            "query": query,
            "months": _recent_months(scope.today),
            "memberships": case_memberships(request.user),
        },
    )


@_monitoring
def agency_dashboard(request, agency: str):
    """One agency's indicators over a period, with filters, charts and tables."""
    return _dashboard(request, _agency_or_refuse(request, agency))


@_monitoring
def all_dashboard(request):
    """Every agency's indicators together (oversight bodies and superusers)."""
    if not rules.can_view_all_agencies(request.user):
        raise PermissionDenied
    return _dashboard(request, None)


def _csv_response(request, agency: Organization | None) -> HttpResponse:
    _form, scope = _scope(request, agency)
    data = _figures(scope)
    name = agency.localized_name if agency is not None else _("All agencies")
    body = indicators_csv(data, title=_("Grievance indicators: %(name)s") % {"name": name})
    slug = agency.slug if agency is not None else "all-agencies"
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="indicators-{slug}-{scope.period.start:%Y%m%d}-{scope.period.end:%Y%m%d}.csv"'
    )
    return response


@_monitoring
def agency_csv(request, agency: str):
    return _csv_response(request, _agency_or_refuse(request, agency))


@_monitoring
def all_csv(request):
    if not rules.can_view_all_agencies(request.user):
        raise PermissionDenied
    return _csv_response(request, None)


def _recent_months(today: date, count: int = 12) -> list[date]:
    months, current = [], today.replace(day=1)
    for _i in range(count):
        months.append(current)
        current = (current.replace(day=1) - timedelta(days=1)).replace(day=1)
    return months


def _month_from(value: str | None, today: date) -> date:
    # Default: last month, the one a monthly report is usually about.
    return year_month(value, default=(today.replace(day=1) - timedelta(days=1)).replace(day=1))


@_monitoring
def agency_report(request, agency: str):
    """The monthly report of one agency as PDF (``?month=YYYY-MM``; default last month)."""
    agency = _agency_or_refuse(request, agency)
    today = timezone.localdate()
    month = _month_from(request.GET.get("month"), today)
    if month > today:
        raise Http404
    sensitive = rules.sensitive_rule(request.user, agency.pk)
    pdf = monthly_report_pdf(agency=agency, period=Period.month(month), today=today, sensitive=sensitive)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{agency.slug}-{month:%Y-%m}.pdf"'
    return response
