"""What the monitoring wing keeps: figures computed ahead of time."""

from __future__ import annotations

from django.db import models


class StatisticsSnapshot(models.Model):
    """Figures computed ahead of time (``statistics_refresh``), read by pages that must not aggregate per request.

    ``data`` holds only what may be shown: the public snapshot is already
    anonymised (small cells suppressed) before it is stored.
    """

    key = models.CharField(max_length=40, unique=True)
    data = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        # The monitoring wing's table; its migrations live with the case core's.
        app_label = "grievances"

    def __str__(self) -> str:
        return f"{self.key} {self.computed_at:%Y-%m-%d %H:%M}"
