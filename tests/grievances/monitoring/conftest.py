"""Hand-computed fixtures for the monitoring indicators (frozen time, working days, a holiday).

The agency ``sso-test`` (policy: acknowledge in 2 working days, resolve in
21) over March and April 2026, seen on Monday 4 May 2026. Monday 9 March is
a public holiday. Times are in the portal's zone (Asia/Bangkok).

=====  ===========  ============================  ==================  =================  ==========
case   lodged       acknowledged (due)            decided (due)       days to decide     timeline
=====  ===========  ============================  ==================  =================  ==========
g1     Fri 6 Mar    at lodging (Wed 11 Mar)       Mon 16 Mar, upheld  10                 accepted 20 Mar
g2     Mon 2 Mar    Thu 5 Mar, late (Wed 4 Mar)   Fri 3 Apr, partly   32 (late: 1 Apr)   appealed 6 Apr, upheld 10 Apr
g3     Tue 10 Mar   at lodging                    Thu 12 Mar 20:00    2.5                appealed 13 Mar, dismissed 20 Mar
g4     Mon 20 Apr   at lodging                    open, due 30 Apr    —                  breached on 4 May
g5     Fri 20 Feb   (before the period)           Tue 3 Mar, upheld   11 (due 24 Mar)    —
g6     Wed 11 Mar   sensitive category            Fri 13 Mar          2                  —
g7     Thu 12 Mar   the other agency              —                   —                  —
=====  ===========  ============================  ==================  =================  ==========

Referrals sso-test → other agency: g3 on 10 Mar 12:00, accepted 12 Mar 12:00
(2 days); g4 on 21 Apr 00:00, returned 25 Apr 00:00 (4 days).
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from grievances.models import CaseEvent, Category, Grievance, Holiday, Referral
from grievances.monitoring.indicators import Period, Scope, Sensitive
from grievances.workflow import Status
from tests.grievances.workspace.conftest import (  # noqa: F401 - fixtures
    _no_second_factor_in_workspace_tests,
    clock,
    focal_point,
    head,
    lodge,
    member,
    outsider_officer,
    outsider_supervisor,
    staff_client,
    supervisor,
)

TODAY = date(2026, 5, 4)
PERIOD = Period(date(2026, 3, 1), date(2026, 4, 30))


def at(month, day, hour=10, minute=0):
    return datetime(2026, month, day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


def scope(agency, sensitive=Sensitive.HIDDEN, **kwargs):
    return Scope(agency_ids=(agency.pk,), period=PERIOD, today=TODAY, sensitive=sensitive, **kwargs)


@pytest.fixture
def own_sensitive_category(agency, policy):
    theme = Category.objects.create(name="Harassment at the office", agency=agency, sla_policy=policy, sensitive=True)
    return Category.objects.create(parent=theme, name="Harassment by staff")


@pytest.fixture
def other_category(other_agency, policy):
    theme = Category.objects.create(name="Labour inspection", agency=other_agency, sla_policy=policy)
    return Category.objects.create(parent=theme, name="Wages not paid")


def _lodge_at(frozen, when, category, **fields):
    frozen.now = when
    return lodge(category, **fields)


def _set(grievance, **fields):
    Grievance.objects.filter(pk=grievance.pk).update(**fields)
    grievance.refresh_from_db()
    return grievance


def _event(grievance, kind, when, **payload):
    CaseEvent.objects.create(grievance=grievance, kind=kind, created_at=when, payload=payload, actor_label="x")


@pytest.fixture
def march_april(
    clock,  # noqa: F811 - the imported fixture, requested
    agency,
    other_agency,
    category,
    own_sensitive_category,
    other_category,
):
    """The cases of the table above, lodged through the service at frozen times."""
    Holiday.objects.create(date=date(2026, 3, 9), name="Holiday")
    Kind = CaseEvent.Kind
    g1 = _lodge_at(clock, at(3, 6), category, sex_gender="female")
    g2 = _lodge_at(clock, at(3, 2, 9), category, sex_gender="male", channel=Grievance.Channel.PHONE)
    g3 = _lodge_at(clock, at(3, 10, 8), category, sex_gender="female")
    g4 = _lodge_at(clock, at(4, 20), category)
    g5 = _lodge_at(clock, at(2, 20), category)
    g6 = _lodge_at(clock, at(3, 11), own_sensitive_category, sex_gender="female")
    g7 = _lodge_at(clock, at(3, 12), other_category)

    _set(g1, status=Status.CLOSED, decision="upheld", resolved_at=at(3, 16), closed_at=at(3, 20))
    _event(g1, Kind.ACCEPTED, at(3, 20))
    _set(
        g2,
        acknowledged_at=at(3, 5, 12),
        status=Status.CLOSED,
        decision="partly_upheld",
        resolved_at=at(4, 3, 9),
        closed_at=at(4, 10),
    )
    _event(g2, Kind.APPEALED, at(4, 6))
    _event(g2, Kind.APPEAL_DECIDED, at(4, 10), upheld=True)
    _set(g3, status=Status.CLOSED, decision="not_upheld", resolved_at=at(3, 12, 20), closed_at=at(3, 20))
    _event(g3, Kind.APPEALED, at(3, 13))
    _event(g3, Kind.APPEAL_DECIDED, at(3, 20), upheld=False)
    _set(g4, status=Status.IN_PROGRESS, resolve_due=date(2026, 4, 30), due_on=date(2026, 4, 30))
    _set(g5, status=Status.CLOSED, decision="upheld", resolved_at=at(3, 3), closed_at=at(3, 10))
    _set(g6, status=Status.RESOLVED, decision="upheld", resolved_at=at(3, 13))
    _set(g7, status=Status.CLOSED, decision="upheld", resolved_at=at(3, 20))

    Referral.objects.create(
        grievance=g3,
        from_agency=agency,
        to_agency=other_agency,
        reasons="r",
        status_before=Status.IN_PROGRESS,
        outcome=Referral.Outcome.ACCEPTED,
        created_at=at(3, 10, 12),
        decided_at=at(3, 12, 12),
    )
    Referral.objects.create(
        grievance=g4,
        from_agency=agency,
        to_agency=other_agency,
        reasons="r",
        status_before=Status.IN_PROGRESS,
        outcome=Referral.Outcome.RETURNED,
        created_at=at(4, 21, 0),
        decided_at=at(4, 25, 0),
    )
    clock.now = at(5, 4, 9)
    return {"g1": g1, "g2": g2, "g3": g3, "g4": g4, "g5": g5, "g6": g6, "g7": g7}
