"""The consultation outcome report: what was asked, who answered, what was heard and decided, as a PDF.

The report is printed from the same parts as the pages: the statistics of
``consultations.selectors`` (published responses only, as on the public
results page), the charts of ``consultations.charts`` drawn by the same
template, the positions the social partners published, and the page's own
"what we heard" and outcome. Figures are laid out as blocks, not tables:
WeasyPrint's table layout is its slow case, and a report is read, not sorted.

It renders in the task backend (``consultations.tasks.render_outcome_report``,
which calls :func:`outcome_report_render`) when the outcome is published or
edited, reports its progress on the ``OutcomeReport`` row (the page shows
it), and is stored: every download is the stored bytes.

The task imports this module, so this module never imports the task: asking
for a render (:func:`outcome_report_schedule`) takes the task's ``enqueue``
from its caller, ``services.outcome_report_request``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.analysis import code_counts_public, coding_version, public_min_cell
from consultations.charts import question_chart
from consultations.models import ConsultationPage, OutcomeReport, Response, StakeholderGroup, State
from consultations.selectors import SCOPE_PUBLISHED, consultation_positions, consultation_statistics
from portal.lib.pdf import html_to_pdf

logger = logging.getLogger(__name__)

TEMPLATE = "consultations/pdf/outcome_report.html"
# Bump when the template changes what a report says: every report is then rendered anew on request.
REPORT_FORMAT = 2


def report_language(page: ConsultationPage) -> str:
    """The page's language (Wagtail's locale), when the portal offers it."""
    offered = {code for code, _name in settings.LANGUAGES}
    code = page.locale.language_code if page.locale_id else settings.LANGUAGE_CODE
    return code if code in offered else settings.LANGUAGE_CODE


def report_source_key(page: ConsultationPage) -> str:
    """What the report is made from: the published page, every response's last change, the cited positions, the codes.

    Three aggregate queries; a new revision, a hidden response, a newly
    published position or a change to the analysts' codes each give a new key.
    """
    responses = Response.objects.filter(consultation=page).aggregate(n=Count("pk"), last=Max("updated_at"))
    positions = page.positions.live().aggregate(n=Count("pk"), last=Max("last_published_at"))
    parts = [
        REPORT_FORMAT,
        page.pk,
        page.live_revision_id,
        page.last_published_at,
        responses["n"],
        responses["last"],
        positions["n"],
        positions["last"],
        report_language(page),
        coding_version(page),
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def outcome_report_schedule(
    *,
    consultation: ConsultationPage,
    force: bool = False,
    enqueue: Callable[[int, str], object] | None = None,
) -> OutcomeReport | None:
    """Ask the task worker for a report of the consultation as it is now; nothing if one is current or coming.

    Called (through ``services.outcome_report_request``) when an outcome is
    published or edited, and by the report's address when it finds the
    stored report out of date. Without a published outcome there is no
    report (None). Idempotent: asking twice for the same state queues one
    render. ``enqueue(report_id, key)`` queues the render on commit; it is
    the task's, passed in by the caller.
    """
    if consultation.state != State.OUTCOME or not consultation.live:
        return None
    if enqueue is None:
        # Recording a request that nothing will render would leave the page waiting forever.
        raise TypeError("outcome_report_schedule() needs enqueue=; use services.outcome_report_request()")
    key = report_source_key(consultation)
    with transaction.atomic():
        report, created = OutcomeReport.objects.select_for_update().get_or_create(
            consultation=consultation, defaults={"source_key": key}
        )
        wanted = (
            created
            or force
            or report.source_key != key
            or report.status == OutcomeReport.Status.FAILED
            or (report.status == OutcomeReport.Status.READY and report.pdf_key != key)
        )
        if not wanted:
            return report
        report.source_key = key
        report.status = OutcomeReport.Status.QUEUED
        report.progress = 0
        report.error = ""
        report.requested_at = timezone.now()
        report.save(update_fields=["source_key", "status", "progress", "error", "requested_at"])
        transaction.on_commit(lambda: enqueue(report.pk, key))
    return report


def _progress(report_id: int, key: str, percent: int, **fields) -> bool:
    """Record progress, only while this render is still the one wanted; False when a newer one replaced it."""
    return bool(OutcomeReport.objects.filter(pk=report_id, source_key=key).update(progress=percent, **fields))


def report_context(page: ConsultationPage) -> dict:
    """Everything the report prints, from the same selectors and charts as the results page."""
    statistics = consultation_statistics(consultation=page, scope=SCOPE_PUBLISHED)
    charts = [(item, question_chart(item, statistics.groups)) for item in statistics.questions]
    named = (
        Response.objects.published()
        .filter(consultation=page, publication=Response.Publication.NAMED, organization__isnull=False)
        .values_list("stakeholder_group", "organization__name")
        .order_by("organization__name")
    )
    by_group: dict[str, list[str]] = {}
    for group, name in named:
        by_group.setdefault(group, []).append(name)
    organizations = [(label, by_group[value]) for value, label in StakeholderGroup.choices if value in by_group]
    labels = [label for _value, label in statistics.groups]
    code_groups = [label for _value, label in StakeholderGroup.choices]
    questions = [
        (item, chart, [(row, list(zip(labels, row.by_group, strict=True))) for row in item.rows])
        for item, chart in charts
    ]
    return {
        "page": page,
        "statistics": statistics,
        "group_counts": list(zip(labels, statistics.responses_by_group, strict=True)),
        "questions": questions,
        "positions": consultation_positions(consultation=page),
        # The analysts' codes, counted over published responses only, small counts said as "fewer than N".
        "codes": [(row, list(zip(code_groups, row.by_group, strict=True))) for row in code_counts_public(page)],
        "code_groups": code_groups,
        "min_cell": public_min_cell(),
        "organizations": organizations,
        "site_url": (settings.SITE_URL or "").rstrip("/"),
    }


def report_html(page: ConsultationPage, *, language: str | None = None) -> str:
    language = language or report_language(page)
    with translation.override(language):
        context = report_context(page)
        context.update(
            lang=language,
            title=_("Outcome report: %(title)s") % {"title": page.title},
            issued_at=timezone.localtime(),
        )
        return render_to_string(TEMPLATE, context)


def report_render(page: ConsultationPage, *, on_laid_out=None) -> bytes:
    """The report as PDF bytes; links in it point at the public site."""
    html = report_html(page)
    site = (settings.SITE_URL or "").rstrip("/")
    return html_to_pdf(html, base_url=f"{site}/" if site else None, on_laid_out=on_laid_out)


def outcome_report_render(report_id: int, key: str) -> str:
    """Render one requested report and store it; what the task runs. Returns what happened, for the task's result."""
    report = OutcomeReport.objects.filter(pk=report_id).select_related("consultation").first()
    if report is None or report.source_key != key:
        return "superseded"
    if report.status == OutcomeReport.Status.READY and report.pdf_key == key:
        return "ready"  # a second run of the same request: already stored
    page = ConsultationPage.objects.get(pk=report.consultation_id)
    if not _progress(report_id, key, 5, status=OutcomeReport.Status.RENDERING, started_at=timezone.now()):
        return "superseded"
    try:
        with translation.override(report_language(page)):
            html = report_html(page)
            _progress(report_id, key, 40)
            site = (settings.SITE_URL or "").rstrip("/")
            pdf = html_to_pdf(
                html,
                base_url=f"{site}/" if site else None,
                on_laid_out=lambda pages: _progress(report_id, key, 80),
            )
    except Exception as exc:
        logger.exception("Outcome report %s failed", report_id)
        OutcomeReport.objects.filter(pk=report_id, source_key=key).update(
            status=OutcomeReport.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:300], finished_at=timezone.now()
        )
        raise
    stored = OutcomeReport.objects.filter(pk=report_id, source_key=key).update(
        status=OutcomeReport.Status.READY,
        progress=100,
        pdf=pdf,
        pdf_key=key,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        pdf_size=len(pdf),
        language=report_language(page),
        finished_at=timezone.now(),
    )
    return "ready" if stored else "superseded"
