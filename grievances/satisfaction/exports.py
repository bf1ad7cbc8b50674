"""A person's satisfaction answers, for their export (``/my/data/``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from grievances.models import Grievance
from grievances.satisfaction.models import Answer
from portal.lib.datasection import DataRecord, DataSection


def answers_section(user) -> DataSection | None:
    answers = (
        Answer.objects.filter(grievance__in=Grievance.objects.for_complainant(user))
        .select_related("grievance")
        .order_by("answered_at", "pk")
    )
    records = [
        DataRecord(
            title=answer.grievance.reference,
            fields=[
                ("reference", _("Reference"), answer.grievance.reference),
                ("resolved", _("Was your problem resolved?"), answer.get_resolved_display()),
                (
                    "fair",
                    _("Were you treated fairly?"),
                    "" if answer.fair is None else (_("Yes") if answer.fair else _("No")),
                ),
                ("comment", _("Your comment"), answer.comment),
                ("answered_at", _("Answered"), answer.answered_at),
                ("updated_at", _("Last changed"), answer.updated_at),
            ],
        )
        for answer in answers
    ]
    return DataSection("satisfaction", _("Your answers about how your grievances ended"), records) if records else None
