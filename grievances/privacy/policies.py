"""How long each kind of record is kept: the admin's policies, else these defaults (docs/privacy.md)."""

from __future__ import annotations

from dataclasses import dataclass

from grievances.privacy.models import RetentionPolicy

Kind = RetentionPolicy.Kind

# Days. Cases count from closing, responses from the outcome's publication, the rest from when written.
DEFAULT_DAYS = {
    "cases": 5 * 365,  # an ordinary closed case: long enough for a late appeal, an audit, a court
    "cases_sensitive": 2 * 365,  # harassment, violence: shorter, the harm of a leak is greater
    Kind.CONSULTATION_RESPONSES: 365,
    Kind.ACCESS_LOGS: 2 * 365,
    Kind.THROTTLE: 2,
    Kind.SESSIONS: 7,
    Kind.TASKS: 30,
    Kind.SMS: 90,
}
WARNING_DAYS = 30  # supervisors are told this long before a case is anonymised


@dataclass(frozen=True)
class CasePolicy:
    keep_days: int
    label: str  # as recorded in the audit record


class Policies:
    """The policies, read once (one query) for a sweep or a page."""

    def __init__(self) -> None:
        self.by_category: dict[int, RetentionPolicy] = {}
        self.defaults: dict[str, RetentionPolicy] = {}
        for policy in RetentionPolicy.objects.all():
            if policy.kind == Kind.CASES and policy.category_id:
                self.by_category[policy.category_id] = policy
            elif policy.category_id is None:
                self.defaults[policy.kind] = policy

    def days(self, kind: str) -> int:
        policy = self.defaults.get(kind)
        return policy.keep_days if policy else DEFAULT_DAYS[kind]

    def for_category(self, category_id: int, parent_id: int | None, sensitive: bool) -> CasePolicy:
        for candidate in (category_id, parent_id):
            if candidate and candidate in self.by_category:
                policy = self.by_category[candidate]
                return CasePolicy(policy.keep_days, f"cases/category {candidate}: {policy.keep_days} days")
        if sensitive:
            return CasePolicy(
                DEFAULT_DAYS["cases_sensitive"], f"cases/sensitive default: {DEFAULT_DAYS['cases_sensitive']} days"
            )
        if Kind.CASES in self.defaults:
            days = self.defaults[Kind.CASES].keep_days
            return CasePolicy(days, f"cases/default: {days} days")
        return CasePolicy(DEFAULT_DAYS["cases"], f"cases/built-in default: {DEFAULT_DAYS['cases']} days")

    def shortest_case_days(self, categories) -> dict[int, CasePolicy]:
        """Each category's policy, for the categories given as (id, parent id, sensitive)."""
        return {cid: self.for_category(cid, parent, sensitive) for cid, parent, sensitive in categories}
