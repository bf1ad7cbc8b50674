"""Reads for consultation pages: the index, positions side by side, statistics, response lists.

Each function makes a fixed number of queries whatever the number of
consultations, questions or responses; the tests assert it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from consultations.blocks import SCALE, Question
from consultations.models import (
    ConsultationIndexPage,
    ConsultationPage,
    OrganizationPage,
    PositionStatementPage,
    Response,
    ResponseChoice,
    StakeholderGroup,
    State,
    Topic,
)
from portal.models import Organization

SCOPE_PUBLISHED = "published"
SCOPE_ALL = "all"


# --- the index --------------------------------------------------------------------


def _under_every_translation(index_page: ConsultationIndexPage):
    """Live consultations under the index in any language: one not yet translated is listed all the same."""
    indexes = index_page.get_translations(inclusive=True).only("path", "depth")
    under = Q(pk__in=[])
    for index in indexes:
        under |= Q(path__startswith=index.path, depth=index.depth + 1)
    return ConsultationPage.objects.live().filter(under)


def _once_each(pages, locale_id: int) -> list[ConsultationPage]:
    """Each consultation once: in the index's language where translated, else as first written (the lowest pk)."""
    pages = list(pages)
    chosen: dict = {}
    for page in pages:
        current = chosen.get(page.translation_key)
        if current is None or (
            current.locale_id != locale_id and (page.locale_id == locale_id or page.pk < current.pk)
        ):
            chosen[page.translation_key] = page
    return [page for page in pages if chosen[page.translation_key] is page]


def consultation_index(*, index_page: ConsultationIndexPage, params) -> dict:
    """Open, upcoming and closed consultations under ``index_page``, filtered by ``?topic=`` and ``?owner=``.

    Unknown filter values are ignored rather than raising: these links get
    shared and shortened.
    """
    now = timezone.now()
    children = _under_every_translation(index_page)
    topics = list(Topic.objects.filter(consultations__in=children).distinct().order_by("name"))
    owners = list(Organization.objects.filter(consultations__in=children).distinct().order_by("name"))
    topic = next((t for t in topics if t.slug == params.get("topic")), None)
    owner = next((o for o in owners if o.slug == params.get("owner")), None)
    pages = children.select_related("owner_organization").prefetch_related("topics")
    if topic is not None:
        pages = pages.filter(topics=topic)
    if owner is not None:
        pages = pages.filter(owner_organization=owner)
    grouped: dict[State, list[ConsultationPage]] = defaultdict(list)
    for page in _once_each(pages.order_by("closes_at", "pk"), index_page.locale_id):
        page.current_state = page.state_at(now)
        grouped[State.CLOSED if page.current_state == State.OUTCOME else page.current_state].append(page)
    return {
        "open_consultations": grouped[State.OPEN],
        "upcoming_consultations": sorted(grouped[State.UPCOMING], key=lambda p: p.opens_at),
        # Most recently closed first: that is where outcomes appear.
        "closed_consultations": sorted(grouped[State.CLOSED], key=lambda p: p.closes_at, reverse=True),
        "topics": topics,
        "owners": owners,
        "selected_topic": topic,
        "selected_owner": owner,
    }


# --- positions ----------------------------------------------------------------------


def consultation_positions(*, consultation: ConsultationPage) -> dict[str, list]:
    """Live position statements citing ``consultation``, by the kind of organization that wrote them.

    Two queries: the statements, then their sections (parents found by
    tree path, not one by one).
    """
    positions = list(PositionStatementPage.objects.live().filter(consultations=consultation).order_by("title"))
    if not positions:
        return {"workers": [], "employers": [], "others": []}
    step = PositionStatementPage.steplen
    sections = {
        section.path: section
        for section in OrganizationPage.objects.filter(path__in={p.path[:-step] for p in positions}).select_related(
            "organization"
        )
    }
    grouped: dict[str, list] = {"workers": [], "employers": [], "others": []}
    for position in positions:
        section = sections.get(position.path[:-step])
        if section is None:
            continue
        position.section = section
        kind = section.organization.kind
        grouped[kind if kind in ("workers", "employers") else "others"].append(position)
    return grouped


# --- statistics ------------------------------------------------------------------------


@dataclass
class Cell:
    count: int
    base: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.base) if self.base else 0


@dataclass
class OptionRow:
    value: str
    label: str
    total: Cell
    by_group: list[Cell]


@dataclass
class QuestionStatistics:
    question: Question
    rows: list[OptionRow]
    answered_total: int
    answered_by_group: list[int]
    mean_total: float | None = None
    mean_by_group: list[float | None] = field(default_factory=list)


@dataclass
class Statistics:
    scope: str
    groups: list[tuple[str, str]]
    responses_by_group: list[int]
    responses_total: int
    questions: list[QuestionStatistics]
    free_text_questions: list[Question]


def _responses_in_scope(consultation: ConsultationPage, scope: str) -> QuerySet[Response]:
    responses = Response.objects.filter(consultation=consultation)
    return responses.published() if scope == SCOPE_PUBLISHED else responses.submitted()


def consultation_statistics(*, consultation: ConsultationPage, scope: str = SCOPE_PUBLISHED) -> Statistics:
    """Per-question counts by stakeholder group, from three database aggregates.

    ``scope="published"`` (what the public sees) counts only responses whose
    authors agreed to publication and that no moderator hid: a response
    marked "do not publish" leaves no trace on public pages. ``scope="all"``
    (the owner's view) counts every submitted response.
    """
    responses = _responses_in_scope(consultation, scope)
    groups = list(StakeholderGroup.choices)
    group_index = {value: i for i, (value, _label) in enumerate(groups)}

    responses_by_group = [0] * len(groups)
    for row in responses.values("stakeholder_group").annotate(n=Count("pk")).order_by():
        responses_by_group[group_index[row["stakeholder_group"]]] = row["n"]

    choices = ResponseChoice.objects.filter(response__in=responses)
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * len(groups))
    for row in (
        choices.values("question_id", "choice", "response__stakeholder_group").annotate(n=Count("pk")).order_by()
    ):
        counts[row["question_id"], row["choice"]][group_index[row["response__stakeholder_group"]]] = row["n"]

    answered: dict[str, list[int]] = defaultdict(lambda: [0] * len(groups))
    for row in (
        choices.values("question_id", "response__stakeholder_group")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    ):
        answered[row["question_id"]][group_index[row["response__stakeholder_group"]]] = row["n"]

    question_stats = []
    for question in consultation.question_list:
        if not question.counted:
            continue
        by_group_base = answered[question.id]
        total_base = sum(by_group_base)
        rows = []
        for value, label in question.options:
            per_group = counts[question.id, value]
            rows.append(
                OptionRow(
                    value=value,
                    label=label,
                    total=Cell(sum(per_group), total_base),
                    by_group=[Cell(n, base) for n, base in zip(per_group, by_group_base, strict=True)],
                )
            )
        stats = QuestionStatistics(question, rows, total_base, by_group_base)
        if question.kind == SCALE:
            stats.mean_total = _mean(rows, None)
            stats.mean_by_group = [_mean(rows, i) for i in range(len(groups))]
        question_stats.append(stats)
    return Statistics(
        scope=scope,
        groups=groups,
        responses_by_group=responses_by_group,
        responses_total=sum(responses_by_group),
        questions=question_stats,
        free_text_questions=[q for q in consultation.question_list if not q.counted],
    )


STATISTICS_CACHE_SECONDS = 600


def consultation_statistics_cached(*, consultation: ConsultationPage, scope: str = SCOPE_PUBLISHED) -> Statistics:
    """:func:`consultation_statistics`, kept in the cache until a response or the page changes.

    The key carries the number of responses, the latest change to any of
    them (every service write saves ``updated_at``) and the page's last
    publication, so a hidden response, a paper entry or a reworded option
    shows at once; the check costs one indexed aggregate instead of scanning
    every answer on each view of a popular results page.
    """
    version = Response.objects.filter(consultation=consultation).aggregate(n=Count("pk"), last=Max("updated_at"))
    published = consultation.last_published_at.timestamp() if consultation.last_published_at else 0
    last = version["last"].timestamp() if version["last"] else 0
    key = f"consultations:statistics:{consultation.pk}:{scope}:{version['n']}:{last}:{published}"
    statistics = cache.get(key)
    if statistics is None:
        statistics = consultation_statistics(consultation=consultation, scope=scope)
        cache.set(key, statistics, STATISTICS_CACHE_SECONDS)
    return statistics


def _mean(rows: list[OptionRow], group: int | None) -> float | None:
    pairs = [(int(row.value), row.total.count if group is None else row.by_group[group].count) for row in rows]
    n = sum(count for _point, count in pairs)
    return round(sum(point * count for point, count in pairs) / n, 1) if n else None


# --- response lists ------------------------------------------------------------------


def responses_for_reading(*, consultation: ConsultationPage, scope: str = SCOPE_PUBLISHED) -> QuerySet[Response]:
    """Responses to list on a page: published ones, or (owner) every submitted one."""
    return (
        _responses_in_scope(consultation, scope)
        .select_related("organization")
        .prefetch_related("attachments")
        .order_by("submitted_at", "pk")
    )


def responses_for_export(*, consultation: ConsultationPage, scope: str = SCOPE_PUBLISHED) -> QuerySet[Response]:
    """Responses for the CSV/XLSX exports, lean: no model instances for related rows."""
    return (
        _responses_in_scope(consultation, scope)
        .select_related("organization", "entered_by")
        .order_by("submitted_at", "pk")
    )
