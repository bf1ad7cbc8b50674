"""The supervisors' page of cases soon to be anonymised, with their legal holds (under /workspace/privacy/)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from grievances import rules
from grievances.models import Grievance
from grievances.privacy import erasure, services
from grievances.privacy.models import ErasureRequest, LegalHold
from grievances.privacy.policies import WARNING_DAYS, Policies
from grievances.references import normalize_reference
from portal import registry

ROWS = 200
QUEUE_TAB = "anonymisation"
COUNT_CAP = 1000  # as the queue's own tabs: counting stops there


def supervised(user, agency) -> bool:
    """Only the agency's supervisors (and administrators) see and act on what is due for anonymisation."""
    return rules.is_supervisor_of(user, agency.pk)


def _supervised_agency(request, slug: str):
    for membership in rules.case_memberships(request.user):
        if membership.organization.slug == slug and supervised(request.user, membership.organization):
            return membership.organization
    raise Http404


def queue_tab(request, agency) -> registry.QueueTab | None:
    """The "Due for anonymisation" tab of the agency's queue, for its supervisors only (``suara_queue_tabs``)."""
    if not supervised(request.user, agency):
        return None
    now = timezone.now()
    policies = Policies()  # one query, shared by the count and the rows

    def content():
        context = {"agency": agency, "rows": due_soon(request.user, agency, now=now, policies=policies)}
        return "grievances/privacy/includes/due_tab.html", {**context, "warning_days": WARNING_DAYS}

    return registry.QueueTab(
        name=QUEUE_TAB,
        label=str(pgettext("queue tab", "Due for anonymisation")),
        count=due_count(request.user, agency, now=now, policies=policies),
        content=content,
    )


def _back(request, organization):
    """After a hold from the queue's tab, back to that tab; otherwise to this page (only workspace addresses)."""
    back = request.POST.get("next", "")
    if back.startswith("/workspace/") and not back.startswith("//"):
        return redirect(back)
    return redirect("workspace_privacy:due", agency=organization.slug)


def _due_within_warning(user, agency, *, now, policies: Policies):
    queryset, _labels = services.cases_due(now=now, policies=policies, ahead=timedelta(days=WARNING_DAYS))
    visible = Grievance.objects.visible_to(user).filter(agency=agency)
    return queryset.filter(pk__in=visible.values("pk"))


def due_count(user, agency, *, now=None, policies: Policies | None = None) -> int:
    """How many of the agency's cases :func:`due_soon` lists, capped like the queue's tabs (past 1,000: "1,000+")."""
    now = now or timezone.now()
    queryset = _due_within_warning(user, agency, now=now, policies=policies or Policies())
    return queryset.order_by()[: COUNT_CAP + 1].count()


def due_soon(user, agency, *, now=None, policies: Policies | None = None) -> list[dict]:
    """The agency's closed cases whose retention ends within the warning period, soonest first, with their date."""
    now = now or timezone.now()
    policies = policies or Policies()
    rows = list(
        _due_within_warning(user, agency, now=now, policies=policies)
        .select_related("category__parent")
        .order_by("closed_at", "pk")
        .only(
            "pk",
            "reference",
            "closed_at",
            "category__sensitive",
            "category__parent__sensitive",
            "category__parent_id",
            "category__name",
            "category__names",
            "category__parent__name",
            "category__parent__names",
        )[:ROWS]
    )
    result = []
    for case in rows:
        category = case.category
        policy = policies.for_category(category.pk, category.parent_id, category.is_sensitive)
        result.append({"case": case, "on": timezone.localdate(case.closed_at + timedelta(days=policy.keep_days))})
    return result


@never_cache
@login_required
def due(request, agency: str):
    organization = _supervised_agency(request, agency)
    holds = (
        LegalHold.objects.filter(grievance__agency=organization, lifted_at__isnull=True)
        .select_related("grievance", "placed_by")
        .order_by("-placed_at")[:ROWS]
    )
    requests = (
        ErasureRequest.objects.filter(grievance__agency=organization, state=ErasureRequest.State.PENDING)
        .filter(grievance__in=Grievance.objects.visible_to(request.user))
        .select_related("grievance")
        .order_by("due_on", "pk")[:ROWS]
    )
    context = {
        "requests": requests,
        "agency": organization,
        "rows": due_soon(request.user, organization),
        "holds": holds,
        "warning_days": WARNING_DAYS,
    }
    return render(request, "grievances/privacy/due.html", context)


def _case(request, organization, reference: str) -> Grievance:
    canonical = normalize_reference(reference)
    grievance = (
        Grievance.objects.visible_to(request.user).filter(agency=organization, reference=canonical).first()
        if canonical
        else None
    )
    if grievance is None:
        raise Http404
    return grievance


@never_cache
@login_required
@require_POST
def hold(request, agency: str, reference: str):
    organization = _supervised_agency(request, agency)
    grievance = _case(request, organization, reference)
    try:
        if request.POST.get("lift"):
            services.legal_hold_lift(grievance=grievance, user=request.user)
            messages.success(request, _("The hold on %(reference)s is lifted.") % {"reference": grievance.reference})
        else:
            services.legal_hold_place(grievance=grievance, user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, _("%(reference)s is on hold.") % {"reference": grievance.reference})
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(request, organization)


@never_cache
@login_required
@require_POST
def decide_erasure(request, agency: str, request_id: int):
    organization = _supervised_agency(request, agency)
    erasure_request = (
        ErasureRequest.objects.filter(pk=request_id, grievance__agency=organization)
        .filter(grievance__in=Grievance.objects.visible_to(request.user))
        .first()
    )
    if erasure_request is None:
        raise Http404
    approve = request.POST.get("decision") == "approve"
    try:
        erasure.erasure_decide(
            request=erasure_request, user=request.user, approve=approve, reasons=request.POST.get("reasons", "")
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The request is decided and the complainant told."))
    return redirect("workspace_privacy:due", agency=organization.slug)
