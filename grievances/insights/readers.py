"""Who reads themes, over which cases, and how much of them they see.

- A **supervisor** (or agency administrator) reads the themes of the cases
  of the agencies they supervise, through ``Grievance.objects.visible_to``
  (so sensitive cases only where they are a focal point). These are cases
  they may open: counts are exact, the most typical cases are listed and
  linked, and they may name a theme a systemic issue.
- The **oversight** role (``Membership.Role.OVERSIGHT`` in a government body:
  a ministry, an inspectorate) reads every agency's themes, but only over
  cases outside sensitive categories, and only as figures: counts are
  suppressed as on ``/statistics/`` (minimum cell and complementary
  suppression), themes smaller than the minimum cell are not shown, no case
  reference is ever shown, and the read gate still refuses them every case
  (they hold no case role). They do not name systemic issues: that is the
  agencies' work on their own cases.
- A person who is both reads their agencies by default and all agencies on
  asking (``?scope=all``).
- Nobody else reads themes (404).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from grievances.insights.issues import supervised_agencies
from grievances.models import SENSITIVE, Grievance
from portal.rules import can_oversee

ALL = "all"


@dataclass(frozen=True)
class Reader:
    cases: QuerySet  # the cases whose themes this person reads
    exact: bool  # counts as they are (their own cases) or suppressed as on /statistics/
    opens_cases: bool  # case references and links to the cases
    names_issues: bool  # may turn a theme into a systemic issue
    all_agencies: bool  # reading every agency (the oversight role)
    may_switch: bool  # both a supervisor and the oversight role


def reader_for(user, scope: str = "") -> Reader | None:
    """How ``user`` reads themes (``scope="all"``: as the oversight role, when they hold it), or None."""
    agencies = supervised_agencies(user)
    oversight = can_oversee(user)
    if agencies and not (oversight and scope == ALL):
        cases = Grievance.objects.visible_to(user).filter(Q(agency__in=agencies) | Q(referred_to__in=agencies))
        return Reader(
            cases=cases, exact=True, opens_cases=True, names_issues=True, all_agencies=False, may_switch=oversight
        )
    if oversight:
        # Counted, never opened: sensitive categories stay out whoever asks.
        return Reader(
            cases=Grievance.objects.filter(~SENSITIVE),
            exact=False,
            opens_cases=False,
            names_issues=False,
            all_agencies=True,
            may_switch=bool(agencies),
        )
    return None
