"""A theme's satisfaction: how its complainants said their cases ended, for the themes page and its order.

Read through the same gate as the themes (``cases`` are the person's visible
cases); a theme's shares are shown, and count in its rank, only over at
least the minimum cell of answers, like every small figure of the wing.
"""

from __future__ import annotations

from dataclasses import dataclass

from grievances.satisfaction.selectors import Shares, shares_by

# A theme nobody (or too few) answered for ranks as if half its complainants were satisfied.
UNKNOWN_SCORE = 0.5


@dataclass(frozen=True)
class ThemeSatisfaction:
    answers: int | None  # None: fewer than the minimum
    resolved_pct: float | None
    fair_pct: float | None


def theme_satisfaction(cases, theme_ids) -> dict[int, Shares]:
    """Answers per theme among ``cases`` (already through the gate): one query."""
    members = cases.filter(insights_membership__theme_id__in=list(theme_ids))
    return {key[0]: shares for key, shares in shares_by(members, "insights_membership__theme_id").items()}


def satisfaction_score(shares: Shares | None, minimum: int) -> float:
    return shares.score() if shares is not None and shares.answers >= minimum else UNKNOWN_SCORE


def rank_by_need(themes: list, satisfaction: dict[int, Shares], *, minimum: int) -> list:
    """Themes by size weighted by dissatisfaction: ``size × (1.5 - score)``, score 0 (none resolved) to 1.

    A theme whose complainants say their problem was not resolved counts up to
    one and a half times its size, a well-resolved one half of it; ties keep
    the larger theme first.
    """

    def weight(theme) -> float:
        return theme.size * (1.5 - satisfaction_score(satisfaction.get(theme.id), minimum))

    return sorted(themes, key=lambda theme: (-weight(theme), -theme.size, theme.id))


def shown(shares: Shares | None, minimum: int) -> ThemeSatisfaction | None:
    """What the page may say: nothing without answers, "fewer than N" below the minimum, shares above it."""
    if shares is None:
        return None
    if shares.answers < minimum:
        return ThemeSatisfaction(None, None, None)
    fair = round(100 * shares.fair_share()) if shares.fair_answers >= minimum else None
    return ThemeSatisfaction(shares.answers, round(100 * shares.resolved_share()), fair)
