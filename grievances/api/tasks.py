"""Background delivery of webhooks, with retries that back off and stop."""

from __future__ import annotations

from django.tasks import task
from django.utils import timezone


@task
def deliver_webhook(delivery_id: int) -> str:
    """Try one delivery; when it fails and attempts remain, enqueue itself again for later."""
    from grievances.api.models import WebhookDelivery
    from grievances.api.webhooks import attempt

    outcome = attempt(delivery_id)
    if outcome is False:
        next_at = (
            WebhookDelivery.objects.filter(pk=delivery_id).values_list("next_attempt_at", flat=True).first()
            or timezone.now()
        )
        deliver_webhook.using(run_after=next_at).enqueue(delivery_id)
        return "retry"
    return "delivered" if outcome else "done"
