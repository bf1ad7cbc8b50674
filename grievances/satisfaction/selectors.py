"""Reads of satisfaction answers: one case's, a person's, and shares over a set of cases already through a gate."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from grievances.satisfaction.models import Answer


def answer_for(grievance) -> Answer | None:
    return Answer.objects.filter(grievance=grievance).first()


@dataclass(frozen=True)
class Shares:
    """Answers over a group of cases; shares are computed only by the caller's minimum-cell rule."""

    answers: int
    resolved_yes: int
    resolved_partly: int
    fair_answers: int  # how many answered the second question
    fair_yes: int

    def resolved_share(self) -> float:
        return self.resolved_yes / self.answers if self.answers else 0.0

    def fair_share(self) -> float:
        return self.fair_yes / self.fair_answers if self.fair_answers else 0.0

    def score(self) -> float:
        """0 (nobody's problem resolved) to 1 (everyone's); "partly" counts half."""
        return (self.resolved_yes + 0.5 * self.resolved_partly) / self.answers if self.answers else 0.5


def shares_by(cases, *fields: str) -> dict[tuple, Shares]:
    """Answers of ``cases`` (a queryset of grievances, already through its gate), grouped by ``fields`` of the case.

    One query, whatever the number of groups.
    """
    rows = (
        cases.filter(satisfaction__isnull=False)
        .values(*fields)
        .annotate(
            answers=Count("pk"),
            resolved_yes=Count("pk", filter=Q(satisfaction__resolved=Answer.Resolved.YES)),
            resolved_partly=Count("pk", filter=Q(satisfaction__resolved=Answer.Resolved.PARTLY)),
            fair_answers=Count("pk", filter=Q(satisfaction__fair__isnull=False)),
            fair_yes=Count("pk", filter=Q(satisfaction__fair=True)),
        )
        .order_by()
    )
    return {
        tuple(row[name] for name in fields): Shares(
            row["answers"], row["resolved_yes"], row["resolved_partly"], row["fair_answers"], row["fair_yes"]
        )
        for row in rows
    }
