"""What the insights wing keeps: a vector per case, the themes of the last refresh, and each case's theme.

Everything here is derived from the cases and can be recomputed by
``manage.py insights_refresh``; nothing is the only copy of anything.
"""

from __future__ import annotations

from django.conf import settings
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
    # The case's agency when it was placed, copied so that ``similar`` walks one index to a theme's
    # recent cases of an agency; only a shortcut to candidates: the read gate still decides.
    agency_id = models.IntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["theme", "agency_id", "-grievance"], name="insights_theme_agency_recent")]

    def __str__(self) -> str:
        return f"case {self.grievance_id} in theme {self.theme_id}"


class SystemicIssue(models.Model):
    """A recurring problem a supervisor names, from a theme or hand-picked cases, for an owner agency to fix.

    Linked to a consultation by its address or id only: grievances and
    consultations never import each other. Published, it appears on the
    public "You said, we did" page with its count of cases and what was done.
    """

    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("what the problem is"), blank=True)
    owner = models.ForeignKey(
        "portal.Organization", on_delete=models.PROTECT, related_name="systemic_issues", verbose_name=_("owner agency")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    consultation = models.CharField(
        _("consultation (address or id)"), max_length=300, blank=True, help_text=_("Where it was raised for dialogue.")
    )
    outcome = models.TextField(_("what was done"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    grievances = models.ManyToManyField("grievances.Grievance", through="IssueCase", related_name="systemic_issues")

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def consultation_url(self) -> str:
        """The consultation as a link, only when it is a web address (an id stays text)."""
        return self.consultation if self.consultation.startswith(("https://", "http://")) else ""


class IssueCase(models.Model):
    issue = models.ForeignKey(SystemicIssue, on_delete=models.CASCADE, related_name="links")
    grievance = models.ForeignKey("grievances.Grievance", on_delete=models.CASCADE, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["issue", "grievance"], name="insights_issue_case_once")]

    def __str__(self) -> str:
        return f"case {self.grievance_id} in issue {self.issue_id}"
