"""No hidden figure on the public page (or in the monthly report) can be worked out from the shown ones.

The check works as someone with the published tables would: every shown
figure is known, a hidden small one lies between 0 and the minimum less one,
a withheld one is at least the minimum, and each published total is the sum
of its parts. Bounds are tightened over those sums until they stop moving;
no hidden figure may end up pinned to one value.
"""

import random

import pytest

from grievances.monitoring import public
from grievances.monitoring.indicators import SENSITIVE_KEY, Sensitive, compute
from grievances.monitoring.presentation import anonymise, figures
from grievances.monitoring.suppression import SUPPRESSED, WITHHELD
from tests.grievances.monitoring.conftest import scope
from tests.grievances.monitoring.test_public import statistics  # noqa: F401 - fixture

MIN_CELL = 10


def equations(data: dict) -> list[tuple[tuple, list[tuple]]]:
    """What a reader knows adds up: written out here, apart from the code under test."""
    received, resolved = ("headline", "received"), ("headline", "resolved")
    cats = data["categories"]
    sums = [(received, [("categories", i, "total") for i in range(len(cats))])]
    sums += [
        (("categories", i, "total"), [("categories", i, "by_month", m) for m in range(len(c["by_month"]))])
        for i, c in enumerate(cats)
    ]
    # Breakdowns leave sensitive cases out: with the sensitive row they add up to the cases received.
    sensitive = [("categories", i, "total") for i, c in enumerate(cats) if c["key"] == SENSITIVE_KEY]
    sums += [(received, [*sensitive, *((key, k) for k in data[key])]) for key in ("channel", "region", "sex_gender")]
    sums += [(resolved, [("decisions", k) for k in data["decisions"]])]
    sums += (
        [(received, [("agencies", i, "received") for i in range(len(data["agencies"]))])] if data["agencies"] else []
    )
    sums += (
        [(resolved, [("agencies", i, "resolved") for i in range(len(data["agencies"]))])] if data["agencies"] else []
    )
    sums += [
        (("referrals", i, "made"), [("referrals", i, k) for k in ("pending", "accepted", "returned")])
        for i in range(len(data["referrals"]))
    ]
    return sums


def value(data, path):
    for step in path:
        data = data[step]
    return data


def bounds(data: dict, min_cell: int) -> dict[tuple, list[int]]:
    known: dict[tuple, list[int]] = {}
    sums = equations(data)
    # A withheld figure is at most everything published put together (a bound that keeps the tightening short).
    unbounded = min_cell + sum(
        value(data, path) for total, parts in sums for path in (total, *parts) if isinstance(value(data, path), int)
    )
    for total, parts in sums:
        for path in (total, *parts):
            shown = value(data, path)
            if shown == SUPPRESSED:
                known[path] = [0, min_cell - 1]
            elif shown == WITHHELD:
                known[path] = [min_cell, unbounded]
            else:
                known[path] = [shown, shown]
    moved, rounds = True, 0
    while moved:
        moved, rounds = False, rounds + 1
        assert rounds < 10_000, "the published sums contradict each other"
        for total, parts in sums:
            if not parts:
                continue
            t_lo, t_hi = known[total]
            lo_sum, hi_sum = sum(known[p][0] for p in parts), sum(known[p][1] for p in parts)
            new = {total: [max(t_lo, lo_sum), min(t_hi, hi_sum)]}
            for p in parts:
                lo, hi = known[p]
                new[p] = [max(lo, t_lo - (hi_sum - hi)), min(hi, t_hi - (lo_sum - lo))]
            for path, interval in new.items():
                if interval != known[path]:
                    known[path] = interval
                    moved = True
    return known


def assert_nothing_hidden_can_be_worked_out(data: dict, min_cell: int = MIN_CELL) -> None:
    for path, (lo, hi) in bounds(data, min_cell).items():
        if value(data, path) in (SUPPRESSED, WITHHELD):
            assert lo < hi, f"{path} is pinned to {lo} by the shown figures"
        assert lo <= hi, f"the published sums contradict each other at {path}"


def raw(
    received_by_category: dict[str, list[int]], *, channel=None, region=None, sex=None, decisions=None, referrals=()
):
    """Consistent raw figures: categories by month, and breakdowns adding up to the cases received."""
    totals = {key: sum(months) for key, months in received_by_category.items()}
    received = sum(totals.values())
    broken_down = received - totals.get("sensitive", 0)  # breakdowns leave sensitive cases out
    resolved = sum((decisions or {}).values())
    return {
        "period": {"start": "2026-03-01", "end": "2026-04-30"},
        "today": "2026-05-04",
        "months": ["2026-03", "2026-04"],
        "headline": {
            "received": received,
            "ack_settled": received,
            "ack_on_time": received,
            "ack_on_time_pct": 100.0,
            "resolved": resolved,
            "resolved_due": resolved,
            "resolved_on_time": resolved,
            "resolved_on_time_pct": 100.0,
            "median_days": 3.0,
            "p90_days": 9.0,
            "open_past_deadline": 0,
            "appeals_open": 0,
            "accepted": 0,
            "appealed": 0,
            "satisfaction_pct": None,
            "appeals_upheld": 0,
            "appeals_dismissed": 0,
        },
        "decisions": decisions or {},
        "categories": [
            {"key": key, "label": key, "total": totals[key], "by_month": months}
            for key, months in received_by_category.items()
        ],
        "referrals": [
            {
                "from": "A",
                "to": "B",
                "made": sum(r),
                "pending": r[0],
                "accepted": r[1],
                "returned": r[2],
                "mean_wait_days": 2.0,
                "longest_wait_days": 4.0,
            }
            for r in referrals
        ],
        "channel": channel or {"web": broken_down},
        "region": region or {"": broken_down},
        "sex_gender": sex or {"not_given": broken_down},
        "agencies": [
            {
                "name": "A",
                "received": received,
                "resolved": resolved,
                "resolved_due": resolved,
                "resolved_on_time_pct": 100.0,
                "open_past_deadline": 0,
            }
        ],
    }


def test_a_single_hidden_sensitive_row_cannot_be_recovered_from_the_total():
    data = anonymise(raw({"payments": [13, 13], "other": [5, 6], "sensitive": [1, 0]}), MIN_CELL)
    sensitive = next(c for c in data["categories"] if c["key"] == "sensitive")
    assert sensitive["total"] == SUPPRESSED
    assert data["headline"]["received"] == 38  # still published: another figure is withheld instead
    assert_nothing_hidden_can_be_worked_out(data)


def test_small_months_zero_rows_and_referral_outcomes_stay_hidden():
    data = anonymise(
        raw(
            {"payments": [20, 0], "wages": [12, 3], "sensitive": [0, 4]},
            channel={"web": 30, "phone": 5, "paper": 0},
            decisions={"upheld": 14, "not_upheld": 2},
            referrals=[(1, 11, 0)],
        ),
        MIN_CELL,
    )
    assert_nothing_hidden_can_be_worked_out(data)


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_never_give_a_hidden_figure_away(seed):
    rng = random.Random(seed)
    months = lambda: [rng.choice([0, 1, 2, 5, 9, 10, 14, 30]) for _ in range(2)]  # noqa: E731
    categories = {f"c{i}": months() for i in range(rng.randint(1, 5))}
    categories["sensitive"] = months()
    broken_down = sum(map(sum, categories.values())) - sum(categories["sensitive"])
    web = rng.randint(0, broken_down)
    phone = rng.randint(0, broken_down - web)
    channel = {"web": web, "phone": phone, "paper": broken_down - web - phone}
    upheld, not_upheld = rng.randint(0, 25), rng.randint(0, 25)
    data = anonymise(
        raw(
            categories,
            channel=channel,
            decisions={"upheld": upheld, "not_upheld": not_upheld},
            referrals=[(rng.randint(0, 12), rng.randint(0, 12), rng.randint(0, 3))],
        ),
        MIN_CELL,
    )
    assert_nothing_hidden_can_be_worked_out(data)


def test_the_public_page_figures_give_no_hidden_figure_away(statistics):  # noqa: F811 - the fixture
    assert_nothing_hidden_can_be_worked_out(public.build()["figures"])


@pytest.mark.django_db
def test_the_monthly_report_leaves_no_remainder_for_hidden_sensitive_cases(march_april, agency):
    data = figures(compute(scope(agency, Sensitive.HIDDEN)))
    # The report is the agency's own, with every count in full; sensitive cases are out of every
    # figure, so the total less its categories leaves nothing to point at them.
    assert data["headline"]["received"] == sum(c["total"] for c in data["categories"])
    assert_nothing_hidden_can_be_worked_out(data)
