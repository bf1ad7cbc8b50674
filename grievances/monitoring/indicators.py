"""The monitoring indicators, computed in the database with a fixed, small number of queries.

Every figure is defined in docs/monitoring.md; in short, for a period
``[start, end]`` (local dates, both included):

- received: cases lodged in the period;
- acknowledged within deadline: of the cases received in the period whose
  acknowledgement is settled (acknowledged, or its deadline has passed), the
  share acknowledged on or before ``acknowledge_due`` (a working-day deadline);
- resolved within deadline: of the cases decided in the period
  (``resolved_at``), the share decided on or before ``resolve_due`` (working
  days, moved later by the time the complainant was asked for information);
- days to resolve: calendar days from lodging to the decision, median and
  90th percentile (``percentile_cont``, the same interpolation everywhere);
- open past deadline: today, cases whose running clock is past its due date;
- appeals, acceptances and appeal outcomes: timeline events in the period;
- referrals: hand-overs made in the period, by route, with how long the
  receiving agency took to accept or return them (or has been waiting).

Which cases count is a :class:`Scope`: agencies, period, filters, and what
to do with sensitive categories (see :class:`Sensitive`). Queries, whatever
the number of cases: the category tree (a few dozen rows, so that nothing
else joins categories), the headline counts, resolution times, timeline
outcomes, referrals, what was received grouped by category, month,
channel, region and sex/gender, the names of those regions and, for
several agencies, the agency table — eight at most.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, Now, TruncMonth
from django.utils import timezone

from grievances import sla
from grievances.models import CaseEvent, Category, Grievance, Referral, Region
from grievances.workflow import Status
from portal.lib.localized import localized


class Sensitive(enum.StrEnum):
    """How cases in sensitive categories enter the figures."""

    # A focal point of the agency: counted and named like any other category.
    DETAIL = "detail"
    # Other agency staff: left out entirely, as the read gate leaves them out.
    HIDDEN = "hidden"
    # Oversight and the public: counted in totals, shown as one "sensitive
    # categories" row, never broken down by category, place, channel or person.
    TOP_LEVEL = "top_level"


SENSITIVE_KEY = "sensitive"


@dataclass(frozen=True)
class Filters:
    category: int | None = None  # a theme or a category: matches both levels
    region: int | None = None
    channel: str | None = None
    programme: int | None = None
    sex_gender: str | None = None


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    def bounds(self) -> tuple[datetime, datetime]:
        """Aware datetimes in the portal's time zone: start of ``start``, start of the day after ``end``."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def months(self) -> list[date]:
        months, current = [], self.start.replace(day=1)
        while current <= self.end:
            months.append(current)
            current = (current + timedelta(days=32)).replace(day=1)
        return months

    @classmethod
    def last_twelve_months(cls, today: date) -> Period:
        """The twelve whole months before this one."""
        end = today.replace(day=1) - timedelta(days=1)
        start = (end.replace(day=1) - timedelta(days=335)).replace(day=1)
        return cls(start, end)

    @classmethod
    def month(cls, first: date) -> Period:
        first = first.replace(day=1)
        return cls(first, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))


@dataclass(frozen=True)
class Scope:
    agency_ids: tuple[int, ...] | None  # None: every agency
    period: Period
    today: date
    filters: Filters = field(default_factory=Filters)
    sensitive: Sensitive = Sensitive.HIDDEN


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)


@dataclass(frozen=True)
class Referrals:
    from_agency: str
    to_agency: str
    made: int
    pending: int
    accepted: int
    returned: int
    mean_wait_days: float | None  # until accepted or returned; still pending: until now
    longest_wait_days: float | None


@dataclass(frozen=True)
class CategoryTrend:
    key: str
    label: str
    total: int
    by_month: list[int]
    # The theme's names in the other languages (``portal.lib.localized``), for whoever reads the figures.
    names: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AgencyRow:
    agency_id: int
    name: str
    received: int
    resolved: int
    resolved_on_time: Rate
    open_past_deadline: int


@dataclass
class Report:
    scope: Scope
    received: int
    acknowledged_on_time: Rate
    resolved: int
    resolved_on_time: Rate
    decisions: dict[str, int]
    median_days: float | None
    p90_days: float | None
    open_past_deadline: int
    appeals_open: int
    accepted: int
    appealed: int
    appeals_upheld: int
    appeals_dismissed: int
    referrals: list[Referrals]
    months: list[date]
    categories: list[CategoryTrend]
    by_channel: dict[str, int]
    by_region: dict[str, int]
    by_sex_gender: dict[str, int]
    agencies: list[AgencyRow]
    # Each region's names in other languages, by its default name (the key of ``by_region``).
    region_names: dict[str, dict] = field(default_factory=dict)

    @property
    def satisfaction(self) -> Rate:
        """Decisions accepted, of those the complainant answered (accepted or appealed)."""
        return Rate(self.accepted, self.accepted + self.appealed)


# --- the querysets --------------------------------------------------------------


@dataclass(frozen=True)
class CategoryTree:
    """Every category's theme and sensitivity, read once (a few dozen rows) so that no query joins them."""

    theme: dict[int, tuple[int, str]]
    sensitive: frozenset[int]
    children: dict[int, frozenset[int]]
    names: dict[int, dict] = field(default_factory=dict)

    @classmethod
    def load(cls) -> CategoryTree:
        theme, sensitive, children, names = {}, set(), {}, {}
        rows = Category.objects.values_list(
            "id", "parent_id", "name", "parent__name", "sensitive", "parent__sensitive", "names", "parent__names"
        )
        for pk, parent_id, name, parent_name, own_sensitive, parent_sensitive, own_names, parent_names in rows:
            theme[pk] = (parent_id, parent_name) if parent_id else (pk, name)
            names[parent_id or pk] = (parent_names if parent_id else own_names) or {}
            if own_sensitive or parent_sensitive:
                sensitive.add(pk)
            children.setdefault(parent_id or pk, set()).add(pk)
        return cls(theme, frozenset(sensitive), {k: frozenset(v) for k, v in children.items()}, names)


def _case_q(scope: Scope, tree: CategoryTree, prefix: str = "", *, agencies: bool = True) -> Q:
    """The scope's conditions on a case, for querysets of cases (``prefix=""``) or of rows pointing at one."""
    p = prefix
    q = Q()
    if agencies and scope.agency_ids is not None:
        q &= Q(**{f"{p}agency_id__in": scope.agency_ids})
    f = scope.filters
    if f.category is not None:
        # A theme matches its categories; a category itself.
        q &= Q(**{f"{p}category_id__in": sorted(tree.children.get(f.category, frozenset()) | {f.category})})
    if f.region is not None:
        q &= Q(**{f"{p}region_id": f.region})
    if f.channel:
        q &= Q(**{f"{p}channel": f.channel})
    if f.programme is not None:
        q &= Q(**{f"{p}programme_id": f.programme})
    if f.sex_gender:
        q &= Q(**{f"{p}sex_gender": f.sex_gender})
    # Filtering is breaking down: at the top level, sensitive cases leave the
    # figures as soon as any filter applies.
    hide = scope.sensitive == Sensitive.HIDDEN or (scope.sensitive == Sensitive.TOP_LEVEL and f != Filters())
    if hide and tree.sensitive:
        q &= ~Q(**{f"{p}category_id__in": sorted(tree.sensitive)})
    return q


class PercentileCont(Aggregate):
    """PostgreSQL's ``percentile_cont(f) WITHIN GROUP (ORDER BY expr)``."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra):
        fraction = float(fraction)
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=repr(fraction), **extra)


def percentile(values: list[float], fraction: float) -> float | None:
    """``percentile_cont`` in Python: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _days(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 86400, 1)
    return round(float(value), 1)


# --- the indicators ---------------------------------------------------------------


def compute(scope: Scope, *, per_agency: bool | None = None) -> Report:
    """Every indicator for ``scope``; ``per_agency`` (default: when several agencies) adds the agency table."""
    start, end = scope.period.bounds()
    today = scope.today
    tree = CategoryTree.load()
    cases = Grievance.objects.filter(_case_q(scope, tree))
    received_q = Q(lodged_at__gte=start, lodged_at__lt=end)
    resolved_q = Q(resolved_at__gte=start, resolved_at__lt=end)
    breached_q = sla.state_filter(sla.SLAState.BREACHED, today)
    # Acknowledgement is "settled" once given or once its deadline passed: a
    # case still inside its deadline is neither on time nor late yet.
    ack_settled = (
        received_q
        & Q(acknowledge_due__isnull=False)
        & (Q(acknowledged_at__isnull=False) | Q(acknowledge_due__lt=today))
    )
    ack_on_time = ack_settled & Q(acknowledged_at__isnull=False, acknowledged_at__date__lte=F("acknowledge_due"))
    resolved_due_q = resolved_q & Q(resolve_due__isnull=False)
    decisions = {value: Count("pk", filter=resolved_q & Q(decision=value)) for value in Grievance.Decision.values}
    head = cases.filter(received_q | resolved_q | breached_q | Q(status=Status.APPEALED)).aggregate(
        received=Count("pk", filter=received_q),
        ack_settled=Count("pk", filter=ack_settled),
        ack_on_time=Count("pk", filter=ack_on_time),
        resolved=Count("pk", filter=resolved_q),
        resolved_due=Count("pk", filter=resolved_due_q),
        resolved_on_time=Count("pk", filter=resolved_due_q & Q(resolved_at__date__lte=F("resolve_due"))),
        open_past_deadline=Count("pk", filter=breached_q),
        appeals_open=Count("pk", filter=Q(status=Status.APPEALED)),
        **{f"decision_{value}": expression for value, expression in decisions.items()},
    )
    median, p90 = _resolution_times(cases.filter(resolved_q))
    outcomes = _outcomes(scope, tree, start, end)
    months = scope.period.months()
    groups = _received_groups(cases.filter(received_q), tree)
    categories = _categories(scope, groups, months)
    channel, region, sex_gender = _breakdowns(scope, groups)
    if per_agency is None:
        per_agency = scope.agency_ids is None or len(scope.agency_ids) > 1
    return Report(
        scope=scope,
        received=head["received"],
        acknowledged_on_time=Rate(head["ack_on_time"], head["ack_settled"]),
        resolved=head["resolved"],
        resolved_on_time=Rate(head["resolved_on_time"], head["resolved_due"]),
        decisions={value: head[f"decision_{value}"] for value in Grievance.Decision.values},
        median_days=median,
        p90_days=p90,
        open_past_deadline=head["open_past_deadline"],
        appeals_open=head["appeals_open"],
        accepted=outcomes["accepted"],
        appealed=outcomes["appealed"],
        appeals_upheld=outcomes["upheld"],
        appeals_dismissed=outcomes["dismissed"],
        referrals=_referrals(scope, tree, start, end),
        months=months,
        categories=categories,
        by_channel=channel,
        by_region=region,
        region_names={row["region__name"]: row["region_names"] for row in groups if row["region__name"]},
        by_sex_gender=sex_gender,
        agencies=_agency_rows(cases, received_q, resolved_q, breached_q) if per_agency else [],
    )


def _resolution_times(resolved) -> tuple[float | None, float | None]:
    duration = ExpressionWrapper(F("resolved_at") - F("lodged_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        figures = resolved.aggregate(
            median=PercentileCont(duration, 0.5, output_field=DurationField()),
            p90=PercentileCont(duration, 0.9, output_field=DurationField()),
        )
        return _days(figures["median"]), _days(figures["p90"])
    # Elsewhere (SQLite in development) the durations come back in one query
    # and are interpolated exactly as percentile_cont does.
    values = [(r - lodged).total_seconds() / 86400 for lodged, r in resolved.values_list("lodged_at", "resolved_at")]
    return _days(percentile(values, 0.5)), _days(percentile(values, 0.9))


def _outcomes(scope: Scope, tree: CategoryTree, start: datetime, end: datetime) -> dict[str, int]:
    Kind = CaseEvent.Kind
    events = CaseEvent.objects.filter(
        _case_q(scope, tree, "grievance__"),
        kind__in=[Kind.ACCEPTED, Kind.APPEALED, Kind.APPEAL_DECIDED],
        created_at__gte=start,
        created_at__lt=end,
    )
    # Counted on grievance_id (never null): the columns PostgreSQL's partial
    # covering index holds, so the events table itself is not read.
    return events.aggregate(
        accepted=Count("grievance_id", filter=Q(kind=Kind.ACCEPTED)),
        appealed=Count("grievance_id", filter=Q(kind=Kind.APPEALED)),
        upheld=Count("grievance_id", filter=Q(kind=Kind.APPEAL_DECIDED, payload__upheld=True)),
        dismissed=Count("grievance_id", filter=Q(kind=Kind.APPEAL_DECIDED, payload__upheld=False)),
    )


def _referrals(scope: Scope, tree: CategoryTree, start: datetime, end: datetime) -> list[Referrals]:
    rows = Referral.objects.filter(
        _case_q(scope, tree, "grievance__", agencies=False), created_at__gte=start, created_at__lt=end
    )
    if scope.agency_ids is not None:
        rows = rows.filter(Q(from_agency_id__in=scope.agency_ids) | Q(to_agency_id__in=scope.agency_ids))
    wait = ExpressionWrapper(Coalesce("decided_at", Now()) - F("created_at"), output_field=DurationField())
    grouped = (
        rows.values("from_agency__name", "to_agency__name", "from_agency__names", "to_agency__names")
        .annotate(
            made=Count("pk"),
            pending=Count("pk", filter=Q(outcome=Referral.Outcome.PENDING)),
            accepted=Count("pk", filter=Q(outcome=Referral.Outcome.ACCEPTED)),
            returned=Count("pk", filter=Q(outcome=Referral.Outcome.RETURNED)),
            total_wait=_sum_duration(wait),
            longest=Max(wait),
        )
        .order_by()
    )
    result = [
        Referrals(
            from_agency=localized(row["from_agency__names"], row["from_agency__name"]),
            to_agency=localized(row["to_agency__names"], row["to_agency__name"]),
            made=row["made"],
            pending=row["pending"],
            accepted=row["accepted"],
            returned=row["returned"],
            mean_wait_days=_days(_as_timedelta(row["total_wait"]) / row["made"]) if row["made"] else None,
            longest_wait_days=_days(_as_timedelta(row["longest"])),
        )
        for row in grouped
    ]
    # The bottlenecks first: where referred cases wait longest.
    result.sort(key=lambda r: (-(r.mean_wait_days or 0), -r.made, r.from_agency, r.to_agency))
    return result


def _sum_duration(expression):
    return Sum(expression, output_field=DurationField())


def _as_timedelta(value) -> timedelta:
    if value is None:
        return timedelta(0)
    if isinstance(value, timedelta):
        return value
    return timedelta(microseconds=int(value))  # SQLite hands durations back as microseconds


def _received_groups(received, tree: CategoryTree) -> list[dict]:
    """Cases received, counted by category, month, channel, region and sex/gender: one scan for several tables.

    Each row is then labelled with its theme (the top level of the category
    tree) from ``tree``, not by joining the categories in the query.
    """
    rows = list(
        received.annotate(month=TruncMonth("lodged_at"))
        .values("category_id", "month", "channel", "region_id", "sex_gender")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # Region names by id afterwards: narrower rows to group than with the names joined in.
    # Keyed by the default name; the names in other languages travel beside (``Report.region_names``).
    regions = {
        pk: (name, names)
        for pk, name, names in Region.objects.filter(pk__in={row["region_id"] for row in rows}).values_list(
            "pk", "name", "names"
        )
    }
    groups = []
    for row in rows:
        key, label = tree.theme.get(row["category_id"], (row["category_id"], ""))
        groups.append(
            {
                **row,
                "region__name": regions.get(row["region_id"], ("", {}))[0],
                "region_names": regions.get(row["region_id"], ("", {}))[1],
                "key": key,
                "label": label,
                "names": tree.names.get(key, {}),
                "is_sensitive": row["category_id"] in tree.sensitive,
            }
        )
    return groups


def _categories(scope: Scope, groups: list[dict], months: list[date]) -> list[CategoryTrend]:
    """Themes by month, biggest first. Sensitive cases become one row unless shown in detail."""
    index = {month: i for i, month in enumerate(months)}
    tree_names = {str(row["key"]): row["names"] for row in groups}
    totals: dict[str, tuple[str, int, list[int]]] = {}
    for row in groups:
        if scope.sensitive == Sensitive.TOP_LEVEL and row["is_sensitive"]:
            key, label = SENSITIVE_KEY, ""
        else:
            key, label = str(row["key"]), row["label"]
        month = row["month"]
        if isinstance(month, datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        _label, total, by_month = totals.get(key) or (label, 0, [0] * len(months))
        position = index.get(month)
        if position is not None:
            by_month[position] += row["n"]
        totals[key] = (label, total + row["n"], by_month)
    trends = [
        CategoryTrend(key, label, total, by_month, names=tree_names.get(key, {}))
        for key, (label, total, by_month) in totals.items()
    ]
    return sorted(trends, key=lambda t: (-t.total, t.label))


def _breakdowns(scope: Scope, groups: list[dict]) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Cases received by channel, by region and by sex/gender (sensitive ones only in detail)."""
    channel: dict[str, int] = {}
    region: dict[str, int] = {}
    sex_gender: dict[str, int] = {}
    for row in groups:
        if scope.sensitive == Sensitive.TOP_LEVEL and row["is_sensitive"]:
            continue
        channel[row["channel"]] = channel.get(row["channel"], 0) + row["n"]
        name = row["region__name"] or ""
        region[name] = region.get(name, 0) + row["n"]
        value = row["sex_gender"] or Grievance.SexGender.NOT_GIVEN
        sex_gender[value] = sex_gender.get(value, 0) + row["n"]
    return (
        dict(sorted(channel.items(), key=lambda kv: -kv[1])),
        dict(sorted(region.items(), key=lambda kv: (kv[0] == "", -kv[1], kv[0]))),
        {value: sex_gender.get(value, 0) for value in Grievance.SexGender.values},
    )


def _agency_rows(cases, received_q: Q, resolved_q: Q, breached_q: Q) -> list[AgencyRow]:
    resolved_due = resolved_q & Q(resolve_due__isnull=False)
    rows = (
        cases.filter(received_q | resolved_q | breached_q)
        .values("agency_id", "agency__name", "agency__names")
        .annotate(
            received=Count("pk", filter=received_q),
            resolved=Count("pk", filter=resolved_q),
            resolved_due=Count("pk", filter=resolved_due),
            on_time=Count("pk", filter=resolved_due & Q(resolved_at__date__lte=F("resolve_due"))),
            past=Count("pk", filter=breached_q),
        )
        .order_by("agency__name")
    )
    return [
        AgencyRow(
            agency_id=row["agency_id"],
            name=localized(row["agency__names"], row["agency__name"]),
            received=row["received"],
            resolved=row["resolved"],
            resolved_on_time=Rate(row["on_time"], row["resolved_due"]),
            open_past_deadline=row["past"],
        )
        for row in rows
    ]


__all__ = [
    "AgencyRow",
    "CategoryTrend",
    "Filters",
    "Period",
    "Rate",
    "Referrals",
    "Report",
    "Scope",
    "Sensitive",
    "compute",
    "percentile",
]
