"""What the SMS line keeps, kept no longer than the "sms" retention policy says.

The retention sweep (the privacy wing) reaches this through ``portal.registry``
with each kind's period in days. Texts keep no number or words once delivered,
but their rows still say who (as a keyed hash) wrote when; conversations keep a
number's hash, its language and a half-written lodging; an anonymous case's
number stays sealed until its final notice, or here until the case has been
closed longer than the period.
"""

from __future__ import annotations

from datetime import timedelta

from grievances.sms.models import Conversation, Message, Recipient


def sms_records_sweep(*, keep_days: dict, now, dry_run: bool) -> dict[str, int]:
    days = keep_days.get("sms")
    if days is None:
        return {}
    cutoff = now - timedelta(days=days)
    old = {
        "sms_texts": Message.objects.filter(created_at__lt=cutoff),
        "sms_conversations": Conversation.objects.filter(updated_at__lt=cutoff),
        "sms_numbers": Recipient.objects.filter(grievance__closed_at__lt=cutoff),
    }
    if dry_run:
        return {name: rows.count() for name, rows in old.items()}
    return {name: rows.delete()[0] for name, rows in old.items()}


def sms_forget_cases(*, case_ids: list[int]) -> None:
    """An anonymised case's number goes at once: its sealed copy, and the conversations' link to it."""
    Recipient.objects.filter(grievance_id__in=case_ids).delete()
    Conversation.objects.filter(grievance_id__in=case_ids).update(grievance=None)
