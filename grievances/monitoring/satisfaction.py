"""The dashboard's "How it went" section: complainants' answers once their case was decided.

Counted over the cases of the scope decided in the period (the "Decided"
figure), per agency and per theme. Answers are few and personal, so the
minimum-cell rule of ``/statistics/`` holds here too, for every reader: a
group with fewer answers than the minimum shows neither its count nor its
shares, and when one count of a table is hidden, the smallest shown one is
withheld too, so that it cannot be worked out from the total.
"""

from __future__ import annotations

from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from grievances.models import Grievance
from grievances.monitoring.indicators import CategoryTree, Scope, Sensitive, _case_q
from grievances.monitoring.presentation import Formatter, Section, Table
from grievances.monitoring.suppression import SUPPRESSED, WITHHELD
from grievances.satisfaction.selectors import Shares, shares_by
from portal.lib.localized import localized


def _add(a: Shares | None, b: Shares) -> Shares:
    if a is None:
        return b
    return Shares(*(x + y for x, y in zip(vars(a).values(), vars(b).values(), strict=True)))


def shares(scope: Scope) -> dict:
    """``{"all", "agencies": {name: Shares}, "themes": {label: Shares}}``: two queries (category tree, answers)."""
    start, end = scope.period.bounds()
    tree = CategoryTree.load()
    cases = Grievance.objects.filter(_case_q(scope, tree), Q(resolved_at__gte=start, resolved_at__lt=end))
    rows = shares_by(cases, "agency__name", "category_id")
    agencies: dict[str, Shares] = defaultdict(lambda: None)
    themes: dict[str, Shares] = defaultdict(lambda: None)
    total = None
    for (agency, category_id), row in rows.items():
        total = _add(total, row)
        agencies[agency] = _add(agencies[agency], row)
        if category_id in tree.sensitive and scope.sensitive != Sensitive.DETAIL:
            label = _("Sensitive categories")  # never broken down below the focal points
        else:
            theme_id, name = tree.theme[category_id]
            label = localized(tree.names.get(theme_id) or {}, name)
        themes[label] = _add(themes[label], row)
    return {"all": total, "agencies": dict(agencies), "themes": dict(themes)}


def _cells(groups: dict[str, Shares], min_cell: int) -> dict[str, list]:
    """Each group's [answers, resolved share, fairly treated share], small ones hidden, plus one withheld beside."""
    cells = {}
    for name, s in groups.items():
        enough = s.answers >= min_cell
        cells[name] = [
            s.answers if enough else SUPPRESSED,
            round(100 * s.resolved_share(), 1) if enough else SUPPRESSED,
            round(100 * s.fair_share(), 1) if s.fair_answers >= min_cell else SUPPRESSED,
        ]
    shown = [name for name, row in cells.items() if isinstance(row[0], int)]
    if shown and len(shown) < len(cells):
        # The groups add up to the total shown above: one hidden count alone could be subtracted out.
        smallest = min(shown, key=lambda name: cells[name][0])
        cells[smallest] = [WITHHELD, WITHHELD, WITHHELD]
    return cells


def satisfaction_section(scope: Scope, *, min_cell: int | None = None) -> Section:
    min_cell = min_cell or settings.SUARA_STATISTICS_MIN_CELL
    fmt = Formatter(min_cell)
    data = shares(scope)
    head = [_("Answers"), _("Problem resolved"), _("Treated fairly")]
    rows = []
    if data["all"] is not None:
        overall = _cells({"": data["all"]}, min_cell)[""]
        rows.append([_("All answers"), fmt(overall[0]), fmt(overall[1], "pct"), fmt(overall[2], "pct")])
    for title, groups in ((_("Agency"), data["agencies"]), (_("Theme"), data["themes"])):
        if len(groups) < 2:
            continue  # one group is the overall line again
        for name, row in sorted(_cells(groups, min_cell).items()):
            rows.append([f"{title}: {name}", fmt(row[0]), fmt(row[1], "pct"), fmt(row[2], "pct")])
    return Section(
        "satisfaction",
        _("How it went, in the complainants' words"),
        Table(_("Answers of complainants whose grievance was decided in the period"), [_("Group"), *head], rows),
        note=(
            _("No complainant has answered yet for this period.")
            if not rows
            else _(
                "Shares of those who answered: resolved means “yes” (not “partly”). "
                "Fewer than %(n)s answers are not shown."
            )
            % {"n": min_cell}
        ),
    )
