"""What is kept about a complainant, as records for their export (``/my/data/`` and the case page's)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from grievances.models import Grievance
from portal.lib.datasection import DataRecord, DataSection


def case_record(grievance: Grievance) -> DataRecord:
    """One case as its complainant may see it: the case, their contact data, the public timeline, consent."""
    record = DataRecord(
        title=grievance.reference,
        fields=[
            ("reference", _("Reference"), grievance.reference),
            ("status", _("Status"), grievance.status_enum.label),
            ("category", _("Category"), str(grievance.category)),
            ("agency", _("Agency"), grievance.agency.name),
            ("lodged_at", _("Lodged"), grievance.lodged_at),
            ("language", _("Language"), grievance.language),
            ("anonymous", _("Anonymous"), grievance.anonymous),
            ("contact_by", _("Contact by"), grievance.get_contact_preference_display()),
            ("name", _("Name"), grievance.contact_name),
            ("phone", _("Phone"), grievance.contact_phone),
            ("email", _("E-mail"), grievance.contact_email),
            ("member_name", _("Member's name"), grievance.member_name),
            ("consent_recorded_at", _("Consent recorded"), grievance.consent_recorded_at),
            ("description", _("What happened"), grievance.description),
            ("decision", _("Decision"), grievance.get_decision_display()),
            ("decision_reasons", _("Reasons"), grievance.decision_reasons),
            ("remedy", _("Remedy"), grievance.remedy),
            ("closed_at", _("Closed"), grievance.closed_at),
        ],
        entries_key="timeline",
        entries_label=_("Timeline"),
    )
    for event in grievance.public_events:
        record.entries.append(
            DataRecord(
                title=event.get_kind_display(),
                fields=[
                    ("what", _("What"), event.get_kind_display()),
                    ("when", _("When"), event.created_at),
                    ("by", _("By"), event.actor_label),
                    ("text", _("Text"), event.body),
                    ("files", _("Files"), ", ".join(a.display_name for a in event.attachments.all())),
                ],
            )
        )
    return record


def cases_section(user) -> DataSection | None:
    cases = (
        Grievance.objects.for_complainant(user)
        .select_related("category__parent", "agency")
        .prefetch_related("events__attachments")
        .order_by("lodged_at", "pk")
    )
    return DataSection("grievances", _("Your grievances"), [case_record(case) for case in cases])
