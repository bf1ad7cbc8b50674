"""The indicators as CSV, safe to open in a spreadsheet.

Spreadsheets evaluate a cell that starts with ``=``, ``+``, ``-``, ``@`` (or
a tab or line break); category and agency names are typed by people, so
every such cell is prefixed with an apostrophe and shown as text.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from grievances.monitoring.presentation import sections

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def indicators_csv(data: dict, *, title: str) -> str:
    """Every section's table, one after another, each under its caption."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(title)])
    writer.writerow([_("Period"), data["period"]["start"], data["period"]["end"]])
    for section in sections(data, charts=False, raw=True):
        writer.writerow([])
        writer.writerow([neutralise(section.table.caption)])
        writer.writerow([neutralise(cell) for cell in section.table.head])
        for row in section.table.rows:
            writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
