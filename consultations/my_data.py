"""A person's consultation responses, for their export (``/my/data/``, through ``portal.registry``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from consultations.models import Response
from portal.lib.datasection import DataRecord, DataSection


def responses_section(user) -> DataSection:
    responses = (
        Response.objects.filter(respondent=user).select_related("consultation", "organization").order_by("created_at")
    )
    records = []
    for response in responses:
        record = DataRecord(
            title=response.consultation.title,
            fields=[
                ("consultation", _("Consultation"), response.consultation.title),
                ("name", _("Name given"), response.respondent_name),
                ("organization", _("On behalf of"), response.organization.name if response.organization_id else ""),
                ("status", _("Status"), response.get_status_display()),
                ("publication", _("Publication"), response.get_publication_display()),
                ("submitted_at", _("Submitted"), response.submitted_at),
            ],
            entries_key="answers",
            entries_label=_("Answers"),
        )
        for question, value in (response.answers or {}).items():
            record.entries.append(
                DataRecord(
                    title=str(question), fields=[("question", _("Question"), question), ("answer", _("Answer"), value)]
                )
            )
        records.append(record)
    return DataSection("consultation_responses", _("Your consultation responses"), records)
