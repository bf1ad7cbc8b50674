"""What the insights wing keeps: a vector per case, the themes of the last refresh, and each case's theme.

Everything here is derived from the cases and can be recomputed by
``manage.py insights_refresh``; nothing is the only copy of anything.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CaseVector(models.Model):
    """The raw vector of a case's description (grievances.insights.vectors), float16 bytes."""

    grievance = models.OneToOneField(
        "grievances.Grievance", primary_key=True, on_delete=models.CASCADE, related_name="insights_vector"
    )
    vector = models.BinaryField()
    language = models.CharField(max_length=10)
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"vector of case {self.grievance_id}"


class Refresh(models.Model):
    """One full recomputation: when, how long, and the space new cases are placed in until the next."""

    computed_at = models.DateTimeField(default=timezone.now, db_index=True)
    cases = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    space = models.JSONField(default=dict)

    class Meta:
        get_latest_by = "computed_at"

    def __str__(self) -> str:
        return f"refresh {self.pk} at {self.computed_at:%Y-%m-%d %H:%M}"


class Theme(models.Model):
    """A group of cases about the same problem, from one refresh."""

    refresh = models.ForeignKey(Refresh, on_delete=models.CASCADE, related_name="themes")
    # The concepts its label is made of (keys of grievances.insights.lexicon), shown translated.
    concepts = models.JSONField(default=list)
    centroid = models.BinaryField()
    emerging = models.BooleanField(_("emerging"), default=False)
    # Region ids where it is emerging (grievances.insights.emerging).
    emerging_regions = models.JSONField(default=list)

    def __str__(self) -> str:
        return f"theme {self.pk}"


class Membership(models.Model):
    """A case's theme: at most one."""

    grievance = models.OneToOneField(
        "grievances.Grievance", primary_key=True, on_delete=models.CASCADE, related_name="insights_membership"
    )
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="memberships")
    score = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"case {self.grievance_id} in theme {self.theme_id}"
