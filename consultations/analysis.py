"""Reads for the owner's analysis of free-text answers: themes by stakeholder group, codes, and their counts.

Themes come from the grouper another app lends through ``portal.registry``
(the insights wing's vectoriser and clustering; consultations never import
grievances). They are computed on request and kept in the cache until a
response or the page changes, like the statistics: the key carries the
response count, the latest change and the page's last publication.

Every submitted response counts for the owner, "do not publish" and hidden
ones too (the analysis is the owner's); what leaves for the public (the
outcome report's codes table) counts published responses only, through
:func:`code_counts_public`, with the minimum cell of ``/statistics/``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import translation

from consultations.blocks import FREE_TEXT, Question
from consultations.models import AnswerCode, Code, ConsultationPage, Response, StakeholderGroup
from portal import registry
from portal.lib import scrub

THEMES_FORMAT = 1
THEMES_CACHE_SECONDS = 24 * 3600
# More responses than this and the task worker computes the themes, not the request.
THEMES_ON_REQUEST = 3000
# A queued computation is not queued again for this long (the worker may be busy).
THEMES_QUEUED_SECONDS = 600
EXCERPTS_PER_THEME = 3
# Typical answers looked at per theme to find excerpts free of identifiers.
EXCERPT_CANDIDATES = 12
EXCERPT_CHARS = 240
# Stricter than the scrub: any run of seven digits or more (a phone without its area code, an ID number).
_IDENTIFIER = re.compile(r"@|(?:https?://|www\.)|\+?\d[\d\s().\-/]{5,}\d")


def free_text_questions(consultation: ConsultationPage) -> list[Question]:
    return [question for question in consultation.question_list if question.kind == FREE_TEXT]


def has_identifier(text: str) -> bool:
    """Does the text hold an e-mail address, a link, a phone or an ID number? Such a text is never an excerpt."""
    return bool(_IDENTIFIER.search(text)) or scrub.scrub(text) != text


def _source(consultation: ConsultationPage, language: str) -> tuple[str, int]:
    """(cache key part, number of responses): what the themes are computed from; one aggregate query."""
    version = Response.objects.filter(consultation=consultation).aggregate(n=Count("pk"), last=Max("updated_at"))
    parts = [
        THEMES_FORMAT,
        consultation.pk,
        consultation.last_published_at,
        version["n"],
        version["last"],
        language,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32], version["n"]


def compute_answer_themes(consultation: ConsultationPage, *, language: str) -> dict:
    """Every free-text question's answers grouped into themes, with the members' stakeholder groups.

    ``{"available": bool, "questions": {question id: {"answered": {group: n},
    "themes": [{"label", "members": [response id, ...], "by_group": {group: n}}]}}}``;
    members most typical first. One query, then the grouper.
    """
    rows = list(
        Response.objects.submitted()
        .filter(consultation=consultation)
        .order_by("pk")
        .values_list("pk", "stakeholder_group", "answers")
    )
    questions: dict[str, dict] = {}
    available = True
    for question in free_text_questions(consultation):
        answered = [
            (pk, group, answers[question.id]) for pk, group, answers in rows if (answers or {}).get(question.id)
        ]
        counts: dict[str, int] = {}
        for _pk, group, _text in answered:
            counts[group] = counts.get(group, 0) + 1
        with translation.override(language):
            grouped = registry.text_themes([text for _pk, _group, text in answered], language=language)
        if grouped is None:
            available, grouped = False, []
        themes = []
        for theme in grouped:
            members = [answered[i][0] for i in theme["members"]]
            by_group: dict[str, int] = {}
            for i in theme["members"]:
                by_group[answered[i][1]] = by_group.get(answered[i][1], 0) + 1
            themes.append({"label": str(theme["label"]), "members": members, "by_group": by_group})
        questions[question.id] = {"answered": counts, "themes": themes}
    return {"available": available, "questions": questions}


def answer_themes_cached(
    consultation: ConsultationPage,
    *,
    language: str | None = None,
    enqueue: Callable[[int, str], object] | None = None,
) -> tuple[str, dict | None]:
    """(source key, :func:`compute_answer_themes`), computed once per state of the responses and per language.

    Up to ``THEMES_ON_REQUEST`` responses the themes are computed in the
    request (measured: about a second of CPU for 2,000 answers). Beyond, when
    ``enqueue(consultation id, language)`` is given (the view passes the task's),
    the task worker computes them and this returns ``None`` meanwhile; the task
    is queued once per state. The key goes into the theme forms: a form posted
    after the answers changed is refused rather than tagging a theme that is
    no longer the one shown.
    """
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    key, responses = _source(consultation, language)
    cache_key = f"consultations:answer-themes:{key}"
    data = cache.get(cache_key)
    if data is None:
        if enqueue is not None and responses > THEMES_ON_REQUEST:
            if cache.add(f"{cache_key}:queued", True, THEMES_QUEUED_SECONDS):
                consultation_id = consultation.pk
                transaction.on_commit(lambda: enqueue(consultation_id, language))
            return key, None
        data = compute_answer_themes(consultation, language=language)
        cache.set(cache_key, data, THEMES_CACHE_SECONDS)
    return key, data


# --- what the analysis page shows ------------------------------------------------------


@dataclass
class GroupShare:
    label: str
    count: int
    answered: int

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.answered) if self.answered else 0


@dataclass
class Excerpt:
    text: str
    published: bool


@dataclass
class ThemeView:
    number: int
    label: str
    members: list[int]
    shares: list[GroupShare]
    excerpts: list[Excerpt] = field(default_factory=list)
    suggested: bool = True

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class QuestionView:
    question: Question
    answered: int
    themes: list[ThemeView]

    @property
    def unthemed(self) -> int:
        return self.answered - sum(theme.size for theme in self.themes)


def analysis_view(consultation: ConsultationPage, data: dict | None, codes: list[Code]) -> list[QuestionView]:
    """The themes of every free-text question, with group shares, excerpts and whether to suggest a code.

    One query (the excerpts' texts), whatever the number of questions and themes.
    ``data`` None (themes still being computed): the questions without themes.
    """
    data = data or {"questions": {}}
    groups = list(StakeholderGroup.choices)
    code_names = {code.name.casefold() for code in codes}
    views = []
    for question in free_text_questions(consultation):
        part = data["questions"].get(question.id, {"answered": {}, "themes": []})
        answered = part["answered"]
        themes = [
            ThemeView(
                number=number + 1,
                label=theme["label"],
                members=theme["members"],
                shares=[
                    GroupShare(label, theme["by_group"].get(value, 0), answered.get(value, 0))
                    for value, label in groups
                    if answered.get(value)
                ],
                suggested=theme["label"].casefold() not in code_names,
            )
            for number, theme in enumerate(part["themes"])
        ]
        views.append(QuestionView(question=question, answered=sum(answered.values()), themes=themes))
    _add_excerpts(consultation, views)
    return views


def _add_excerpts(consultation: ConsultationPage, views: list[QuestionView]) -> None:
    wanted = {pk for view in views for theme in view.themes for pk in theme.members[:EXCERPT_CANDIDATES]}
    if not wanted:
        return
    rows = Response.objects.filter(consultation=consultation, pk__in=wanted).values_list(
        "pk", "answers", "status", "publication", "hidden_at"
    )
    found = {
        pk: (
            answers or {},
            status == Response.Status.SUBMITTED
            and publication in (Response.Publication.NAMED, Response.Publication.ANONYMOUS)
            and hidden_at is None,
        )
        for pk, answers, status, publication, hidden_at in rows
    }
    for view in views:
        for theme in view.themes:
            for pk in theme.members[:EXCERPT_CANDIDATES]:
                if pk not in found or len(theme.excerpts) >= EXCERPTS_PER_THEME:
                    continue
                answers, published = found[pk]
                text = answers.get(view.question.id) or ""
                if not text or has_identifier(text):
                    continue
                short = text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"
                theme.excerpts.append(Excerpt(text=short, published=published))


def codes_with_counts(consultation: ConsultationPage) -> list[Code]:
    """The consultation's codes by name, each with ``answers`` (how many answers carry it); one query."""
    return list(
        Code.objects.filter(consultation=consultation)
        .select_related("created_by")
        .annotate(answers=Count("tags"))
        .order_by("name", "pk")
    )


def answer_page_rows(consultation: ConsultationPage, question: Question, response_ids: list[int]) -> list[dict]:
    """The answers to ``question`` of these responses, with their codes: two queries."""
    rows = (
        Response.objects.submitted()
        .filter(consultation=consultation, pk__in=response_ids)
        .order_by("pk")
        .values_list("pk", "stakeholder_group", "answers", "publication", "hidden_at")
    )
    tags: dict[int, list[Code]] = {}
    for tag in (
        AnswerCode.objects.filter(
            response_id__in=response_ids, question_id=question.id, code__consultation=consultation
        )
        .select_related("code", "tagged_by")
        .order_by("code__name", "pk")
    ):
        tags.setdefault(tag.response_id, []).append(tag)
    groups = dict(StakeholderGroup.choices)
    return [
        {
            "id": pk,
            "group": groups.get(group, group),
            "text": (answers or {}).get(question.id, ""),
            "published": publication != Response.Publication.NONE and hidden_at is None,
            "tags": tags.get(pk, []),
        }
        for pk, group, answers, publication, hidden_at in rows
        if (answers or {}).get(question.id)
    ]


def answered_ids(consultation: ConsultationPage, question: Question, *, code: Code | None = None) -> list[int]:
    """The submitted responses that answered ``question`` (those tagged with ``code`` only, when given), by id."""
    responses = Response.objects.submitted().filter(consultation=consultation)
    if code is not None:
        responses = responses.filter(codes__code=code, codes__question_id=question.id)
    rows = responses.order_by("pk").values_list("pk", "answers")
    return [pk for pk, answers in rows if (answers or {}).get(question.id)]


# --- exports and the report ----------------------------------------------------------------


def codes_by_answer(consultation: ConsultationPage) -> dict[tuple[int, str], list[str]]:
    """(response id, question id) → the names of its codes, by name; one query, for the exports."""
    result: dict[tuple[int, str], list[str]] = {}
    tags = (
        AnswerCode.objects.filter(code__consultation=consultation)
        .order_by("code__name", "code_id")
        .values_list("response_id", "question_id", "code__name")
    )
    for response_id, question_id, name in tags:
        result.setdefault((response_id, question_id), []).append(name)
    return result


@dataclass
class CodeRow:
    name: str
    description: str
    by_group: list[int | None]  # None: fewer than the minimum cell (public report only)


def code_counts(consultation: ConsultationPage, *, published_only: bool, minimum: int = 1) -> list[CodeRow]:
    """Per code, the responses with at least one answer carrying it, per stakeholder group; one query.

    ``published_only``: only responses anyone may read, as the public report
    counts; a count below ``minimum`` (but not zero) becomes None, said
    "fewer than N", as on ``/statistics/``. No totals are given, so a
    suppressed cell cannot be worked out from the others.
    """
    responses = Response.objects.submitted()
    if published_only:
        responses = Response.objects.published()
    counted = Count(
        "tags__response",
        distinct=True,
        filter=Q(tags__response__in=responses.filter(consultation=consultation).values("pk")),
    )
    groups = [value for value, _label in StakeholderGroup.choices]
    cells = (
        Code.objects.filter(consultation=consultation)
        .values("pk", "name", "description", "tags__response__stakeholder_group")
        .annotate(n=counted)
        .order_by("name", "pk")
    )
    rows: dict[int, CodeRow] = {}
    for cell in cells:
        row = rows.setdefault(cell["pk"], CodeRow(cell["name"], cell["description"], [0] * len(groups)))
        group = cell["tags__response__stakeholder_group"]
        if group in groups:
            row.by_group[groups.index(group)] += cell["n"]
    for row in rows.values():
        row.by_group = [n if n == 0 or n >= minimum else None for n in row.by_group]
    return list(rows.values())


def code_counts_public(consultation: ConsultationPage) -> list[CodeRow]:
    """What the public outcome report prints: published responses, minimum cell of ``/statistics/``."""
    return code_counts(consultation, published_only=True, minimum=public_min_cell())


def public_min_cell() -> int:
    return max(1, int(getattr(settings, "SUARA_STATISTICS_MIN_CELL", 10)))


def coding_version(consultation: ConsultationPage) -> list:
    """What changes when codes or tags change: part of the outcome report's source key; one query."""
    version = Code.objects.filter(consultation=consultation).aggregate(
        code_count=Count("pk", distinct=True),
        tag_count=Count("tags", distinct=True),
        changed=Max("updated_at"),
        tagged=Max("tags__tagged_at"),
    )
    return [version["code_count"], version["tag_count"], version["changed"], version["tagged"]]
