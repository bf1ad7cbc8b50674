"""CSV and XLSX exports of a consultation's responses, safe to open in a spreadsheet.

Every cell a respondent could have typed into goes through :func:`neutralise`:
spreadsheets run a cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab
or carriage return before one) as a formula, and a formula can exfiltrate
the sheet or run commands. A leading apostrophe makes it text again.

The two exports share :func:`export_rows`, so they always agree on columns
and on what each scope may contain: ``published`` carries only what may be
published (names only where the author agreed); ``all`` is the owner's
working file, with every submitted response and its publication choice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.analysis import codes_by_answer
from consultations.answers import answer_as_text
from consultations.blocks import FREE_TEXT, YES_NO
from consultations.models import ConsultationPage, Response, ResponseAttachment, StakeholderGroup
from consultations.selectors import SCOPE_ALL, responses_for_export

# Full-width forms too (U+FF1D, U+FF0B, U+FF0D, U+FF20): some spreadsheet
# locales read a full-width equals sign as the formula sign.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CHUNK = 2000


def neutralise(value) -> str:
    """Text a spreadsheet will show, never evaluate."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def export_header(consultation: ConsultationPage, scope: str) -> list[str]:
    header = [_("Response"), _("Submitted at"), _("Stakeholder group"), _("Organization"), _("Name")]
    if scope == SCOPE_ALL:
        header += [_("Publication"), _("Channel"), _("Entered by"), _("Hidden by a moderator"), _("Reason hidden")]
    for question in consultation.question_list:
        header.append(question.text)
        if question.kind == YES_NO and question.max_length:
            header.append(_("%(question)s — comment") % {"question": question.text})
        if question.kind == FREE_TEXT:
            header.append(_("%(question)s — codes") % {"question": question.text})
    header.append(_("Attachments"))
    return [neutralise(cell) for cell in header]


def _row(response: Response, questions, scope: str, groups: dict, attachments: dict, codes: dict) -> list:
    named = response.publication == Response.Publication.NAMED
    if scope == SCOPE_ALL:
        organization = response.organization.name if response.organization_id else ""
        name = response.respondent_name
    else:
        organization = response.organization.name if response.organization_id and named else ""
        name = response.respondent_name if named else ""
    submitted = timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M") if response.submitted_at else ""
    row: list = [response.pk, submitted, groups[response.stakeholder_group], organization, name]
    if scope == SCOPE_ALL:
        row += [
            response.get_publication_display(),
            response.get_channel_display(),
            response.entered_by.get_full_name() if response.entered_by_id else "",
            _("yes") if response.hidden_at else "",
            response.hidden_reason if response.hidden_at else "",
        ]
    for question in questions:
        value = response.answers.get(question.id)
        if question.kind == YES_NO and question.max_length:
            value = value or {}
            row.append(question.option_label(value.get("value", "")) if value.get("value") else "")
            row.append(value.get("comment", ""))
        else:
            row.append(answer_as_text(question, value))
        if question.kind == FREE_TEXT:
            # The analysts' codes of this answer, by name, one cell.
            row.append("; ".join(codes.get((response.pk, question.id), [])))
    row.append(attachments.get(response.pk, 0))
    return [cell if isinstance(cell, int) else neutralise(cell) for cell in row]


def export_rows(consultation: ConsultationPage, scope: str) -> Iterator[list]:
    """The header, then one row per response, read from the database in chunks."""
    questions = consultation.question_list
    groups = dict(StakeholderGroup.choices)
    responses = responses_for_export(consultation=consultation, scope=scope)
    # One query for every attachment count rather than one per response.
    attachments = dict(
        ResponseAttachment.objects.filter(response__in=responses.values("pk"))
        .values("response_id")
        .annotate(n=Count("pk"))
        .values_list("response_id", "n")
    )
    codes = codes_by_answer(consultation)
    yield export_header(consultation, scope)
    for response in responses.iterator(chunk_size=CHUNK):
        yield _row(response, questions, scope, groups, attachments, codes)


class _Echo:
    def write(self, value):
        return value


def csv_chunks(consultation: ConsultationPage, scope: str) -> Iterator[str]:
    """CSV text, a row at a time, starting with a byte-order mark so spreadsheets read Thai as Thai."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in export_rows(consultation, scope):
        yield writer.writerow(row)


def xlsx_bytes(consultation: ConsultationPage, scope: str) -> bytes:
    """An XLSX workbook of the responses, built in write-only mode (constant memory per row)."""
    # Imported here: openpyxl takes a tenth of a second to import and only this download needs it,
    # while every web process imports this module through the views.
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Responses")[:31])
    for row in export_rows(consultation, scope):
        # XML 1.0 cannot hold most control characters; show them as replacement marks.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("\ufffd", cell) if isinstance(cell, str) else cell for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
