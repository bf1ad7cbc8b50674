"""Consultation responses after their retention period: the respondent's identity removed, the answers kept.

Run by the retention sweep (``grievances.privacy``) through the hook
``suara_retention_jobs`` with the admin's period for consultation responses,
counted from the publication of the consultation's outcome: until the outcome
is out the owner still works with the responses, however long ago it closed.
The outcome's publication is the moment its notice to followers was made
(``ConsultationNotice`` of kind outcome, made once, when the published outcome
is first seen after closing). What goes: the link to the
respondent's account and to the staff member who entered it, the name (unless
the respondent chose to be published with it: published quotes keep their
publication choice), phone numbers, e-mail addresses and ID numbers inside the
answers, and attached files. What stays: the answers, the stakeholder group,
the organization, the publication choice, so results and reports are unchanged.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef

from consultations.models import ConsultationNotice, Response, ResponseAttachment
from portal.lib.scrub import scrub
from portal.lib.uploads import delete_private

BATCH_SIZE = 500


def _scrubbed(value, names):
    if isinstance(value, str):
        return scrub(value, names=names)
    if isinstance(value, list):
        return [_scrubbed(item, names) for item in value]
    return value


def responses_anonymise(*, keep_days: dict, now, dry_run: bool) -> dict[str, int]:
    """Anonymise the responses of consultations whose outcome was published longer than the period ago; how many.

    Idempotent: anonymised responses are marked and not taken again.
    """
    days = keep_days.get("consultation_responses")
    if days is None:
        return {}
    published_before = ConsultationNotice.objects.filter(
        consultation=OuterRef("consultation"),
        kind=ConsultationNotice.Kind.OUTCOME,
        created_at__lt=now - timedelta(days=days),
    )
    due = Response.objects.filter(Exists(published_before), anonymised_at__isnull=True)
    if dry_run:
        return {"consultation_responses": due.count()}
    done = 0
    while True:
        files: list[str] = []
        with transaction.atomic():
            batch = list(
                due.select_for_update(skip_locked=True, of=("self",))
                .select_related("respondent")
                .prefetch_related("attachments")
                .order_by("pk")[:BATCH_SIZE]
            )
            if not batch:
                return {"consultation_responses": done}
            for response in batch:
                names = [response.respondent_name]
                if response.respondent_id:
                    names.append(response.respondent.get_full_name())
                response.answers = {key: _scrubbed(value, names) for key, value in (response.answers or {}).items()}
                if response.publication != Response.Publication.NAMED:
                    response.respondent_name = ""
                response.respondent = None
                response.entered_by = None
                response.anonymised_at = now
                files += [attachment.storage_name for attachment in response.attachments.all()]
            Response.objects.bulk_update(
                batch, ["answers", "respondent_name", "respondent", "entered_by", "anonymised_at"]
            )
            response_ids = [response.pk for response in batch]
            ResponseAttachment.objects.filter(response_id__in=response_ids).delete()
            transaction.on_commit(lambda files=files: [delete_private(name) for name in files])
        done += len(batch)
