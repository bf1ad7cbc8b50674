"""The people and bodies that act in Suara: users, organizations, memberships."""

from __future__ import annotations

from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from portal.lib.localized import LocalizedName


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person who signs in with an e-mail address.

    ``first_name``/``last_name`` stay for Wagtail's sake but are optional;
    ``display_name`` is what Suara shows, because many people in the region
    use a single name.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name()

    def get_full_name(self) -> str:
        return self.display_name or " ".join(p for p in (self.first_name, self.last_name) if p) or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.first_name or self.email.split("@")[0]


class Organization(LocalizedName):
    """A body that acts in Suara: a union, an employers' organization, an agency."""

    class Kind(models.TextChoices):
        WORKERS = "workers", _("Workers' organization")
        EMPLOYERS = "employers", _("Employers' organization")
        GOVERNMENT = "government", _("Government agency")
        OTHER = "other", _("Other organization")

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("Checked by the portal's staff: the body exists and is who it says.")
    )
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code, e.g. TH."))
    region = models.CharField(_("region"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.localized_name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.short_name or self.name, allow_unicode=True)[:80]
        super().save(*args, **kwargs)


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def staff_roles(self):
        return self.filter(role__in=Membership.STAFF_ROLES)


class Membership(models.Model):
    """What a person may do for an organization."""

    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        REPRESENTATIVE = "representative", _("Representative")
        CASE_OFFICER = "case_officer", _("Case officer")
        SUPERVISOR = "supervisor", _("Supervisor")
        EDITOR = "editor", _("Editor")
        APPROVER = "approver", _("Approver")
        ADMIN = "admin", _("Organization administrator")
        # A ministry or oversight body: reads every agency's themes of grievances (never sensitive ones,
        # never a case itself); see docs/insights.md.
        OVERSIGHT = "oversight", _("Oversight (all agencies' themes)")

    # Roles that handle other people's cases, read what they wrote, or publish for a body: they must
    # sign in with a second factor.
    STAFF_ROLES = frozenset(
        {Role.CASE_OFFICER, Role.SUPERVISOR, Role.EDITOR, Role.APPROVER, Role.ADMIN, Role.OVERSIGHT}
    )

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    active = models.BooleanField(_("active"), default=True)
    focal_point = models.BooleanField(
        _("focal point for sensitive cases"),
        default=False,
        help_text=_("Only designated focal points see gender-based violence, harassment and exploitation cases."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "role"], name="membership_unique_role"),
        ]
        indexes = [models.Index(fields=["organization", "role"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organization}"


class MembershipInvitation(models.Model):
    """An organization administrator's offer of a role to an e-mail address, until its owner accepts."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} — {self.get_role_display()} — {self.organization}"


class MembershipEvent(models.Model):
    """Who gave, took away, offered or accepted which role: the organization's own record. Append-only."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("Role given")
        REVOKED = "revoked", _("Role removed")
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Invitation accepted")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="membership_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    action = models.CharField(_("what"), max_length=20, choices=Action.choices)
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    # The address, not a key: the record outlives the account it names.
    subject_email = models.EmailField(_("whose role"))
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership change")
        verbose_name_plural = _("membership changes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.subject_email} ({self.get_role_display()})"


class SentMessage(models.Model):
    """One row per message a background task has sent, so a task run twice sends once.

    A task whose worker died is run again by ``manage.py tasks_reap``; the
    task asks :meth:`claim` before sending, and only the first run may send.
    """

    key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sent message")
        verbose_name_plural = _("sent messages")

    def __str__(self) -> str:
        return self.key

    @classmethod
    @contextmanager
    def claim(cls, key: str):
        """Yield True when this run is the first to send ``key``; a send that raises frees it for the next run."""
        with transaction.atomic():
            _, first = cls.objects.get_or_create(key=key[:200])
        try:
            yield first
        except BaseException:
            if first:
                cls.objects.filter(key=key[:200]).delete()
            raise


class WorkerHeartbeat(models.Model):
    """A task worker process saying it is alive, every few seconds (``portal.workers``).

    ``manage.py tasks_reap`` gives a running task back to the queue as soon as
    the heartbeat of the worker holding it stops, instead of waiting for the
    task to grow older than the longest legitimate task.
    """

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    # When this process started, by its own clock (the one that stamps the
    # tasks it claims): a task claimed under this id before then was claimed by
    # a predecessor that has since died (systemd restarts a worker under the same id).
    started_at = models.DateTimeField(_("process started"))
    # Written with the database's clock, and compared with it too.
    seen_at = models.DateTimeField(_("last heard from"))

    class Meta:
        verbose_name = _("task worker heartbeat")
        verbose_name_plural = _("task worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}, pid {self.pid})"
