"""Grievances: cases (reference data is in ``grievances.reference``), their append-only timeline and attachments."""

from __future__ import annotations

import time
from datetime import date

from django.conf import settings
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from grievances.reference import Category, Holiday, Programme, Region, SLAPolicy  # noqa: F401
from grievances.workflow import Status
from portal.lib.encrypted import EncryptedBinaryField, EncryptedTextField, SealableTextField
from portal.lib.localized import language_name
from portal.models import Membership, Organization

# --- cases ----------------------------------------------------------------------


def _reach(agencies: list[int]) -> models.Q:
    referred_before = Referral.objects.filter(from_agency__in=agencies).values("grievance_id")
    return models.Q(agency__in=agencies) | models.Q(referred_to__in=agencies) | models.Q(pk__in=referred_before)


CASE_ROLES = (Membership.Role.CASE_OFFICER, Membership.Role.SUPERVISOR, Membership.Role.ADMIN)
SENSITIVE = models.Q(category__sensitive=True) | models.Q(category__parent__sensitive=True)
# How long one person's memberships, once read, are trusted on their user
# object: a request's worth. A user object can outlive a request (a
# websocket's scope keeps one for hours), and a membership revoked
# meanwhile must not keep its reach.
MEMBERSHIPS_FRESH_SECONDS = 2.0


def case_memberships(user) -> list[Membership]:
    """The person's active case-handling memberships, read at most once per request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_suara_case_memberships", None)
    now = time.monotonic()
    if cached is None or now - cached[0] > MEMBERSHIPS_FRESH_SECONDS:
        memberships = list(
            Membership.objects.active()
            .filter(user=user, role__in=CASE_ROLES, organization__kind=Organization.Kind.GOVERNMENT)
            .select_related("organization")
            .order_by("organization__name")
        )
        cached = (now, memberships)
        user._suara_case_memberships = cached
    return cached[1]


def staff_agencies(user, *, focal_only: bool = False) -> list[int]:
    """The ids of the agencies whose cases ``user`` handles (all, or those they are a focal point of)."""
    return sorted(
        {m.organization_id for m in case_memberships(user) if m.focal_point or not focal_only},
    )


class GrievanceQuerySet(models.QuerySet):
    def visible_to(self, user) -> GrievanceQuerySet:
        """The one gate through which staff code finds cases.

        A case is within an agency's reach when the agency owns it, when a
        referral to the agency is pending, or when the agency referred it
        onwards earlier (read-only sight, kept after the other side accepts).
        Officers, supervisors and admins see the cases within their agencies'
        reach; sensitive-category cases only their agencies' designated focal
        points. Everyone else gets nothing, so a guessed address is a 404.
        Complainant access is ownership or a PIN capability, not this.

        The agencies are the person's memberships, already read for the
        request, written into the query as ids: PostgreSQL plans constants
        better than nested subqueries, and the query compiles faster.
        """
        agencies = staff_agencies(user)
        if not agencies:
            return self.none()
        focal_agencies = staff_agencies(user, focal_only=True)
        if focal_agencies == agencies:
            return self.filter(_reach(agencies))
        if not focal_agencies:
            return self.filter(_reach(agencies) & ~SENSITIVE)
        return self.filter((_reach(agencies) & ~SENSITIVE) | (_reach(focal_agencies) & SENSITIVE))

    def for_complainant(self, user) -> GrievanceQuerySet:
        """Cases a signed-in person lodged, or that were lodged for them or by them for others."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(models.Q(complainant=user) | models.Q(lodged_by=user))


class Grievance(models.Model):
    class Channel(models.TextChoices):
        WEB = "web", _("Web form")
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        PAPER = "paper", _("Paper form")
        ON_BEHALF = "on_behalf", _("On behalf, by an organization")
        FIELD_VISIT = "field_visit", _("Field visit")
        SMS = "sms", _("Text message")

    class Contact(models.TextChoices):
        ACCOUNT = "account", _("Through my Suara account")
        PHONE = "phone", _("By phone or SMS")
        EMAIL = "email", _("By e-mail")
        NONE = "none", _("Don't contact me; I'll check with my reference and PIN")

    class Confidentiality(models.TextChoices):
        STANDARD = "standard", _("The agency handling my grievance may see who I am")
        CONFIDENTIAL = "confidential", _("Keep my identity confidential")

    reference = models.CharField(_("reference"), max_length=14, unique=True, editable=False)
    pin_hash = models.CharField(max_length=128, editable=False)
    status = models.CharField(_("status"), max_length=24, choices=Status.choices, default=Status.LODGED)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="grievances")
    agency = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="grievances", verbose_name=_("agency")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    # The language the case speaks to its complainant in (notices, letters, live updates); they may change it.
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    # The language the description was written in, kept when ``language`` changes later ("" on older cases).
    lodged_language = models.CharField(_("written in"), max_length=10, blank=True)

    # Who. An anonymous grievance keeps none of this.
    complainant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="grievances"
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    confidentiality = models.CharField(
        _("confidentiality"), max_length=16, choices=Confidentiality.choices, default=Confidentiality.STANDARD
    )
    contact_preference = models.CharField(_("contact by"), max_length=10, choices=Contact.choices)
    # Identity and contact are sealed at rest with the data keys (docs/privacy.md).
    contact_name = EncryptedTextField(_("name"), max_length=150, blank=True)
    contact_phone = EncryptedTextField(_("phone"), max_length=32, blank=True)
    contact_email = EncryptedTextField(_("e-mail"), max_length=254, blank=True, validators=[validate_email])

    # On behalf of someone, by an organization.
    lodged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grievances_lodged_for_others",
    )
    lodged_by_organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="grievances_lodged"
    )
    member_name = EncryptedTextField(_("member's name"), max_length=150, blank=True)
    member_identity_withheld = models.BooleanField(_("member's identity kept from the agency"), default=False)
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    people_affected = models.PositiveIntegerField(_("people affected"), default=1)

    # What.
    # Sealed at rest when the case is in a sensitive category (then not searchable); see docs/privacy.md.
    description = SealableTextField(_("what happened"), sealed_when="narrative_sealed")
    # Set at lodging from the category (which never changes afterwards): the
    # narrative and the timeline's bodies of this case are sealed at rest.
    narrative_sealed = models.BooleanField(default=False, db_default=False, editable=False)
    occurred_on = models.DateField(_("when it happened"), null=True, blank=True)
    programme = models.ForeignKey(Programme, null=True, blank=True, on_delete=models.PROTECT)
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.PROTECT)

    class SexGender(models.TextChoices):
        NOT_GIVEN = "not_given", _("Prefer not to say")
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        ANOTHER = "another", _("Another gender")

    # Optional, asked only so that monitoring can show who is (not) being heard.
    sex_gender = models.CharField(
        _("sex or gender"), max_length=12, choices=SexGender.choices, default=SexGender.NOT_GIVEN, blank=True
    )

    # When. Deadlines are dates in the portal's time zone.
    lodged_at = models.DateTimeField(_("lodged at"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledge_due = models.DateField(null=True, blank=True)
    resolve_due = models.DateField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    appeal_due = models.DateField(null=True, blank=True)
    appeal_decision_due = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Decision(models.TextChoices):
        UPHELD = "upheld", _("Upheld")
        PARTLY_UPHELD = "partly_upheld", _("Partly upheld")
        NOT_UPHELD = "not_upheld", _("Not upheld")
        OUT_OF_SCOPE = "out_of_scope", _("Out of scope")

    # The decision, once resolved.
    decision = models.CharField(_("decision"), max_length=20, blank=True, choices=Decision.choices)
    decision_reasons = models.TextField(_("reasons"), blank=True)
    remedy = models.TextField(_("remedy"), blank=True)
    # Whoever made the first decision may not decide its appeal.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The agency side. ``due_on`` is the deadline the clock is running
    # towards now (acknowledge, resolve or decide the appeal), empty once
    # nothing is owed; the queue sorts on it and the sweep reads it.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_grievances",
        verbose_name=_("assigned to"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    at_risk_on = models.DateField(_("at risk from"), null=True, blank=True)
    # 0 nothing sent; 1 at risk (assignee told); 2 breached (supervisors
    # told); 3 still breached (agency head told). Reset for a new deadline.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    breached_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    # A pending referral: the receiving agency may accept or return it.
    referred_to = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="grievances_referred_in"
    )
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates")
    # Assisted intake: the staff member who wrote it down for the person.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # Bumped by every state change: a stale form (an older version) is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GrievanceQuerySet.as_manager()

    class Meta:
        ordering = ["-lodged_at"]
        verbose_name = _("grievance")
        indexes = [
            models.Index(fields=["agency", "status", "resolve_due"]),
            models.Index(fields=["complainant", "-lodged_at"]),
            models.Index(fields=["lodged_by", "-lodged_at"]),
            # "My agency, open, most urgent first" walks this in order.
            models.Index(fields=["agency", "due_on"], name="grievance_queue_due"),
            models.Index(fields=["assignee", "due_on"], name="grievance_assignee_due"),
            models.Index(fields=["due_on"], name="grievance_due"),
            models.Index(fields=["referred_to"], name="grievance_referred_to"),
            # Monitoring: one agency's cases decided in a period (PostgreSQL also
            # gets a covering index for the dashboard, grievances/migrations/0007).
            models.Index(fields=["agency", "resolved_at"], name="grievance_agency_resolved"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return f"/grievances/{self.reference}/"

    @property
    def status_enum(self) -> Status:
        return Status(self.status)

    @property
    def language_name(self) -> str:
        """The language the complainant reads in, named in the reader's language."""
        return language_name(self.language)

    @property
    def description_language(self) -> str:
        return self.lodged_language or self.language

    @property
    def description_language_name(self) -> str:
        """The language the description was written in, named in the reader's language ("Thai")."""
        return language_name(self.description_language)

    @property
    def is_open(self) -> bool:
        return self.status_enum.is_open

    @property
    def appeal_window_open(self) -> bool:
        return (
            self.status == Status.RESOLVED and self.appeal_due is not None and timezone.localdate() <= self.appeal_due
        )

    @cached_property
    def public_events(self):
        return self.events.filter(public=True).select_related("actor").prefetch_related("attachments")

    @property
    def open_information_request(self) -> CaseEvent | None:
        if self.status != Status.AWAITING_COMPLAINANT:
            return None
        return self.events.filter(kind=CaseEvent.Kind.INFORMATION_REQUESTED).order_by("-created_at", "-id").first()

    def display_identity(self) -> str:
        """How the complainant appears to people who may know who they are."""
        if self.anonymous:
            return str(_("Anonymous"))
        return self.contact_name or (self.complainant.get_full_name() if self.complainant_id else str(_("Not given")))


# --- the timeline --------------------------------------------------------------


class AppendOnlyError(Exception):
    """Case events are never changed or removed."""


class CaseEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Case events are append-only.")

    def delete(self):
        raise AppendOnlyError("Case events are append-only.")

    def public(self):
        return self.filter(public=True)


class CaseEvent(models.Model):
    """One entry of a case's append-only timeline.

    The public page, the staff page, live updates, the outcome letter and the
    audit trail are all views over these rows. ``public=False`` events never
    leave the staff side.
    """

    class Kind(models.TextChoices):
        LODGED = "lodged", _("Grievance lodged")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSIGNED = "assigned", _("Assigned")
        STATUS_CHANGED = "status_changed", _("Status changed")
        MESSAGE_FROM_COMPLAINANT = "complainant_message", _("Message from the complainant")
        MESSAGE_TO_COMPLAINANT = "agency_message", _("Message from the agency")
        INFORMATION_REQUESTED = "information_requested", _("Information requested")
        INFORMATION_PROVIDED = "information_provided", _("Information provided")
        NOTE = "note", _("Internal note")
        REFERRED = "referred", _("Referred to another agency")
        RESOLVED = "resolved", _("Decision")
        ACCEPTED = "accepted", _("Decision accepted")
        APPEALED = "appealed", _("Appealed")
        APPEAL_DECIDED = "appeal_decided", _("Appeal decided")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")
        SLA = "sla", _("Deadline")
        ESCALATED = "escalated", _("Escalated")
        REFERRAL_ACCEPTED = "referral_accepted", _("Referral accepted")
        REFERRAL_RETURNED = "referral_returned", _("Referral returned")
        DUPLICATE = "duplicate", _("Marked as a duplicate")
        DUPLICATE_LINKED = "duplicate_linked", _("Duplicate linked")
        LANGUAGE_CHANGED = "language_changed", _("Language changed")
        CONTACT_CHANGED = "contact_changed", _("Contact details changed")
        ERASURE_REQUESTED = "erasure_requested", _("Erasure requested")
        ERASURE_DECIDED = "erasure_decided", _("Erasure request decided")

    grievance = models.ForeignKey(Grievance, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    public = models.BooleanField(default=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Who did it, as the complainant should read it ("You", "Social Security Office").
    actor_label = models.CharField(max_length=150, blank=True)
    by_complainant = models.BooleanField(default=False)
    body = SealableTextField(blank=True, sealed_when="narrative_sealed")
    payload = models.JSONField(default=dict, blank=True)
    status_after = models.CharField(max_length=24, choices=Status.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = CaseEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        # Monitoring counts acceptances and appeals through a partial covering
        # index on PostgreSQL (grievances/migrations/0007).
        indexes = [models.Index(fields=["grievance", "created_at", "id"])]

    def __str__(self) -> str:
        return f"{self.grievance_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Case events are append-only.")

    @property
    def narrative_sealed(self) -> bool:
        """The body is sealed at rest as its case's narrative is (the case is usually in hand: no query)."""
        return self.grievance.narrative_sealed


class Attachment(models.Model):
    """A file sent with a grievance or a message, kept outside the public media root."""

    grievance = models.ForeignKey(Grievance, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, related_name="attachments")
    storage_name = models.CharField(max_length=255, unique=True)
    display_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return f"/grievances/{self.grievance.reference}/attachments/{self.pk}/"


class Referral(models.Model):
    """One hand-over of a case from one agency to another, and how it ended.

    The case keeps its timeline and deadlines; these rows are the referral
    history, and give the referring agency read-only sight of the case.
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for the receiving agency")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    grievance = models.ForeignKey(Grievance, on_delete=models.PROTECT, related_name="referrals")
    from_agency = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="referrals_out")
    to_agency = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="referrals_in")
    reasons = models.TextField(_("reasons"))
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status_before = models.CharField(max_length=24, choices=Status.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    outcome_reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["from_agency", "grievance"]), models.Index(fields=["grievance", "outcome"])]

    def __str__(self) -> str:
        return f"{self.grievance_id}: {self.from_agency_id} → {self.to_agency_id} ({self.outcome})"


class CaseAccess(models.Model):
    """A staff member opened a case: who, which, when. Supervisors read these."""

    grievance = models.ForeignKey(Grievance, on_delete=models.PROTECT, related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # What they opened ("case", "attachment", "slip"), for the reader of the log.
    what = models.CharField(max_length=20, default="case")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["grievance", "-at"])]

    def __str__(self) -> str:
        return f"{self.user_id} opened {self.grievance_id} at {self.at:%Y-%m-%d %H:%M}"


class ThrottleHit(models.Model):
    """One counted attempt (a lodging, a wrong PIN) for rate limits and locks.

    Kept in the database, not the cache, so that a cache outage cannot lift
    a lock. ``key`` is a keyed hash (of an address or a reference), never the
    address itself; rows older than a day are removed as new ones arrive.
    """

    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "created_at"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.created_at:%Y-%m-%d %H:%M}"


def today() -> date:
    return timezone.localdate()


# --- outcome letters (issue 7) ---------------------------------------------------


class OutcomeLetter(models.Model):
    """A case's outcome letter as issued: the PDF, and the code printed at its foot.

    One row per state of the public timeline (and language): while the
    timeline stays as it was, the stored PDF is served as it is; the next
    public event makes the next request issue a new letter. Old rows stay, so
    a letter printed earlier still verifies. ``code`` is a keyed hash (HMAC)
    of the letter's content, so only the portal can make one; see
    ``grievances.letters``.
    """

    grievance = models.ForeignKey(Grievance, on_delete=models.PROTECT, related_name="outcome_letters")
    # What the letter was built from: the public timeline's last event and length, the decision, the language.
    state_key = models.CharField(max_length=64)
    language = models.CharField(max_length=10)
    code = models.CharField(max_length=64, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)
    # Sealed at rest: the letter prints the complainant's name.
    pdf = EncryptedBinaryField()
    pdf_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["grievance", "state_key"], name="outcome_letter_once_per_state"),
        ]

    def __str__(self) -> str:
        # In the admin reader's language and date format, worked out when shown.
        when = date_format(timezone.localtime(self.issued_at), "SHORT_DATE_FORMAT")
        words = pgettext("admin", "Outcome letter for grievance %(id)s, issued %(date)s")
        return words % {"id": self.grievance_id, "date": when}


from grievances.submissions import LodgingSubmission  # noqa: E402, F401 - kept apart, registered with the app
