"""The themes page and systemic issues for supervisors, and the public "You said, we did" page.

Themes and issues show only cases that ``Grievance.objects.visible_to`` lets
the person see, within the agencies they supervise; anybody else gets 404,
like every other gate of the workspace.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from grievances.insights import excerpts, figures, forms, issues, readers, satisfaction, selectors
from grievances.insights.labels import theme_label
from grievances.insights.models import SystemicIssue, Theme
from grievances.models import Grievance, case_memberships
from portal.lib.forms import apply_service_errors

THEMES_SHOWN = 50
CASES_PER_THEME = 10


def _supervisor(view):
    @login_required
    def wrapped(request, *args, **kwargs):
        if not issues.supervised_agencies(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


def _theme_reader(view):
    """Supervisors and the oversight role (``readers``); anybody else 404."""

    @login_required
    def wrapped(request, *args, **kwargs):
        reader = readers.reader_for(request.user, request.GET.get("scope", ""))
        if reader is None:
            raise Http404
        return view(request, reader, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


def _cases(user):
    agencies = issues.supervised_agencies(user)
    return Grievance.objects.visible_to(user).filter(Q(agency__in=agencies) | Q(referred_to__in=agencies))


def _common(request, reader) -> dict:
    return {
        "reader": reader,
        "scope": readers.ALL if reader.all_agencies and reader.may_switch else "",
        "memberships": case_memberships(request.user),
        "refresh": selectors.last_refresh(),
        "minimum": settings.SUARA_STATISTICS_MIN_CELL,
    }


@_theme_reader
def themes(request, reader):
    """The themes a person reads, largest first: label, size, whether emerging; where and how for their own cases.

    Oversight sees every agency's themes outside sensitive categories, none
    under the minimum cell, without cases or breakdowns (those are on each
    theme's page, suppressed as on /statistics/).
    """
    minimum = settings.SUARA_STATISTICS_MIN_CELL
    shown = selectors.themes_for(
        request.user, cases=reader.cases, with_cases=reader.opens_cases, limit_cases=CASES_PER_THEME
    )
    if not reader.exact:
        shown = [theme for theme in shown if theme.size >= minimum]
    # Low satisfaction raises a theme: what people say did not get resolved comes first.
    answers = satisfaction.theme_satisfaction(reader.cases, [theme.id for theme in shown])
    shown = satisfaction.rank_by_need(shown, answers, minimum=minimum)[:THEMES_SHOWN]
    for theme in shown:
        theme.satisfaction = satisfaction.shown(answers.get(theme.id), minimum)
    if reader.exact:
        # Their own agencies' cases: exact counts (they may open every one of them).
        breakdown = selectors.theme_breakdown(reader.cases, [theme.id for theme in shown])
        channels = dict(Grievance.Channel.choices)
        agencies = forms.government_agencies()
        for theme in shown:
            parts = breakdown.get(theme.id, {"regions": {}, "channels": {}})
            theme.regions = sorted(
                ((name or _("No region"), n) for name, n in parts["regions"].items()), key=lambda item: -item[1]
            )
            theme.channels = sorted(
                ((channels.get(name, name), n) for name, n in parts["channels"].items()), key=lambda item: -item[1]
            )
            theme.form = forms.IssueFromThemeForm(initial={"theme": theme.id, "title": theme.label}, agencies=agencies)
    return render(request, "grievances/insights/themes.html", {"themes": shown, **_common(request, reader)})


@_theme_reader
def theme(request, reader, pk: int):
    """One theme: its trend, where, which agencies and how it was raised, a few anonymised excerpts.

    The figures are exact for a supervisor (their own cases) and suppressed
    as on /statistics/ for oversight, who never see a case reference; a
    theme with none of the reader's cases (or, for oversight, fewer than the
    minimum cell) does not exist for them.
    """
    minimum = settings.SUARA_STATISTICS_MIN_CELL
    item = get_object_or_404(Theme.objects.only("pk", "concepts", "emerging"), pk=pk)
    counts = selectors.theme_counts(reader.cases, item.pk, today=timezone.localdate())
    if counts.size == 0 or (not reader.exact and counts.size < minimum):
        raise Http404
    label = theme_label(item.concepts)
    shown = figures.theme_figures(counts, exact=reader.exact, min_cell=minimum)
    candidates = selectors.excerpt_candidates(reader.cases, item.pk, language=get_language() or "")
    context = {
        "theme": item,
        "label": label,
        "figures": shown,
        "chart": figures.trend_chart(label, shown["weeks"]),
        "excerpts": excerpts.excerpts(candidates, item.concepts),
        "excerpt_length": excerpts.LENGTH,
        "weeks": selectors.TREND_WEEKS,
        **_common(request, reader),
    }
    if reader.opens_cases:
        context["cases"] = list(
            reader.cases.filter(insights_membership__theme_id=item.pk)
            .order_by("-insights_membership__score", "pk")
            .values_list("reference", flat=True)[:CASES_PER_THEME]
        )
    if reader.names_issues:
        context["form"] = forms.IssueFromThemeForm(
            initial={"theme": item.pk, "title": label}, agencies=forms.government_agencies()
        )
    return render(request, "grievances/insights/theme.html", context)


@_supervisor
@require_POST
def issue_from_theme(request):
    """Name a theme a systemic issue: its cases this supervisor may see are linked to it."""
    form = forms.IssueFromThemeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give the issue a name and an owner agency."))
        return redirect("insights:themes")
    theme_cases = _cases(request.user).filter(insights_membership__theme_id=form.cleaned_data["theme"])
    try:
        issue = issues.systemic_issue_create(
            user=request.user,
            title=form.cleaned_data["title"],
            summary=form.cleaned_data["summary"],
            owner=form.cleaned_data["owner"],
            grievances=list(theme_cases.values_list("pk", flat=True)),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("insights:themes")
    messages.success(request, _("The systemic issue is named and its cases are linked."))
    return redirect("insights:issue", pk=issue.pk)


def _issues_for(user):
    agencies = issues.supervised_agencies(user)
    return SystemicIssue.objects.filter(Q(owner__in=agencies) | Q(created_by=user)).select_related("owner")


@_supervisor
def issue_list(request):
    rows = _issues_for(request.user).annotate(cases=Count("links"))
    return render(request, "grievances/insights/issues.html", {"issues": rows})


@_supervisor
def issue(request, pk: int):
    """One systemic issue: its cases (those this person may see), the consultation and what was done."""
    item = get_object_or_404(_issues_for(request.user), pk=pk)
    form = forms.IssueUpdateForm(
        request.POST or None,
        initial={"consultation": item.consultation, "outcome": item.outcome, "publish": bool(item.published_at)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            issues.systemic_issue_update(user=request.user, issue=item, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The systemic issue is saved."))
            return redirect("insights:issue", pk=item.pk)
    cases = Grievance.objects.visible_to(request.user).filter(systemic_issues=item).only("reference").order_by("pk")
    return render(
        request,
        "grievances/insights/issue.html",
        {
            "issue": item,
            "form": form,
            "cases": cases[:200],
            "count": item.links.count(),
            "can_update": issues.can_update(request.user, item),
        },
    )


def you_said_we_did(request):
    """Public: the published systemic issues, with how many grievances raised them and what was done."""
    published = (
        SystemicIssue.objects.filter(published_at__isnull=False)
        .select_related("owner")
        .annotate(cases=Count("links"))
        .order_by("-published_at")
    )
    return render(request, "grievances/insights/you_said_we_did.html", {"issues": published})
