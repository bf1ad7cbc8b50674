"""Consultations, their responses, and organizations' position statements.

Pages (Wagtail): ``ConsultationIndexPage`` → ``ConsultationPage``;
``OrganizationIndexPage`` → ``OrganizationPage`` → ``PositionStatementPage``.
Records (plain models): ``Response`` with its ``ResponseChoice`` tallies,
attachments and reports; who follows a consultation; which notices went out.

A consultation's state (upcoming, open, closed, outcome published) is
computed from its dates and its outcome; nothing stores it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from consultations.blocks import Question, QuestionStreamBlock, questions_from_stream
from home.blocks import BaseStreamBlock
from portal.models import Organization

# How long before closing the "closes in a week" notice goes out.
CLOSING_SOON = datetime.timedelta(days=7)


class Topic(models.Model):
    """A policy area consultations are filed under (cash transfers, pensions, platform work)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True, allow_unicode=True)

    panels = [FieldPanel("name"), FieldPanel("slug")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class State(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    OUTCOME = "outcome", _("Outcome published")


class StakeholderGroup(models.TextChoices):
    """The tripartite breakdown every report uses, plus individuals and others."""

    WORKERS = "workers", _("Workers' organizations")
    EMPLOYERS = "employers", _("Employers' organizations")
    GOVERNMENT = "government", _("Government")
    INDIVIDUALS = "individuals", _("Individuals")
    OTHERS = "others", _("Other organizations")

    @classmethod
    def for_organization(cls, organization: Organization | None) -> StakeholderGroup:
        if organization is None:
            return cls.INDIVIDUALS
        return {
            Organization.Kind.WORKERS: cls.WORKERS,
            Organization.Kind.EMPLOYERS: cls.EMPLOYERS,
            Organization.Kind.GOVERNMENT: cls.GOVERNMENT,
        }.get(organization.kind, cls.OTHERS)


class ConsultationQuerySet(PageQuerySet):
    """Consultations by state, computed from the dates at ``now``."""

    def upcoming(self, now=None):
        return self.filter(opens_at__gt=now or timezone.now())

    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def closed(self, now=None):
        return self.filter(closes_at__lte=now or timezone.now())


class ConsultationIndexPage(Page):
    """``/consultations/``: open, upcoming and closed consultations, by topic and owner."""

    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["consultations.ConsultationPage"]
    max_count = 1

    class Meta:
        verbose_name = _("consultation index page")

    def get_context(self, request, *args, **kwargs):
        from consultations.selectors import consultation_index

        context = super().get_context(request, *args, **kwargs)
        context.update(consultation_index(index_page=self, params=request.GET))
        return context


class ConsultationPage(RoutablePageMixin, Page):
    """One consultation: the draft, the questions, and after closing what was heard and decided."""

    class Audience(models.TextChoices):
        PUBLIC = "public", _("Everyone (individuals and organizations)")
        INVITED = "invited", _("Invited organizations only")

    summary = models.TextField(_("summary"), max_length=800)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("body"))
    documents = StreamField(
        [("document", DocumentChooserBlock(template="home/blocks/document.html", label=_("Document")))],
        blank=True,
        verbose_name=_("documents"),
        help_text=_("The draft policy and anything respondents should read."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    owner_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="consultations",
        verbose_name=_("owning organization"),
    )
    audience = models.CharField(_("who may respond"), max_length=10, choices=Audience.choices, default=Audience.PUBLIC)
    invited_organizations = ParentalManyToManyField(
        Organization, blank=True, related_name="consultation_invitations", verbose_name=_("invited organizations")
    )
    topics = ParentalManyToManyField(Topic, blank=True, related_name="consultations", verbose_name=_("topics"))
    questions = StreamField(QuestionStreamBlock(), blank=True, verbose_name=_("questions"))
    what_we_heard = StreamField(
        BaseStreamBlock(),
        blank=True,
        verbose_name=_("what we heard"),
        help_text=_("Shown once the consultation has closed."),
    )
    outcome = StreamField(
        BaseStreamBlock(),
        blank=True,
        verbose_name=_("outcome"),
        help_text=_("What was decided. Publishing it after closing tells followers and invited organizations."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("documents"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("owner_organization"),
                FieldPanel("audience"),
                FieldPanel("invited_organizations"),
                FieldPanel("topics"),
            ],
            _("Who and when"),
        ),
        FieldPanel("questions"),
        MultiFieldPanel([FieldPanel("what_we_heard"), FieldPanel("outcome")], _("Closing the loop")),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["consultations.ConsultationIndexPage"]
    subpage_types: list[str] = []

    objects = PageManager.from_queryset(ConsultationQuerySet)()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    # --- state --------------------------------------------------------------

    def state_at(self, now: datetime.datetime | None = None) -> State:
        now = now or timezone.now()
        if now < self.opens_at:
            return State.UPCOMING
        if now < self.closes_at:
            return State.OPEN
        return State.OUTCOME if self.outcome else State.CLOSED

    @property
    def state(self) -> State:
        return self.state_at()

    @property
    def is_open(self) -> bool:
        return self.state == State.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state in (State.CLOSED, State.OUTCOME)

    @cached_property
    def question_list(self) -> list[Question]:
        return questions_from_stream(self.questions)

    def question_by_id(self, question_id: str) -> Question | None:
        return next((q for q in self.question_list if q.id == question_id), None)

    def clean(self):
        super().clean()
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A consultation must close after it opens.")})
        if self.pk:
            self._refuse_changes_that_orphan_answers()

    def _refuse_changes_that_orphan_answers(self):
        # Answers are stored by question id and option wording: once people
        # have answered, removing a question or changing its options would
        # silently drop their answers from every count.
        if not Response.objects.filter(consultation_id=self.pk).exists():
            return
        stored = ConsultationPage.objects.get(pk=self.pk)
        new = {q.id: q for q in self.question_list}
        for old in stored.question_list:
            current = new.get(old.id)
            if current is None:
                raise ValidationError(
                    {"questions": _("People have answered “%(q)s”; it cannot be removed.") % {"q": old.text}}
                )
            if current.kind != old.kind or (
                old.counted and {v for v, _l in old.options} - {v for v, _l in current.options}
            ):
                raise ValidationError(
                    {"questions": _("People have answered “%(q)s”; its kind and options are fixed.") % {"q": old.text}}
                )

    def get_context(self, request, *args, **kwargs):
        from consultations.views import consultation_context

        context = super().get_context(request, *args, **kwargs)
        context.update(consultation_context(request, self))
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            # The page shows the reader's own drafts and follow status.
            response.headers["Cache-Control"] = "private, no-cache"
        return response

    # --- sub-pages: responding and results live under the consultation ----------

    @path("respond/")
    def respond(self, request):
        from consultations import views

        return views.respond(request, self)

    @path("results/")
    def results(self, request):
        from consultations import views

        return views.results(request, self)

    @path("responses/")
    def responses_list(self, request):
        from consultations import views

        return views.published_responses(request, self)

    @path("responses/<int:response_id>/report/")
    def report_response(self, request, response_id):
        from consultations import views

        return views.report_response(request, self, response_id)

    @path("responses/<int:response_id>/hide/")
    def hide_response(self, request, response_id):
        from consultations import views

        return views.hide_response(request, self, response_id)

    @path("attachments/<int:attachment_id>/")
    def attachment(self, request, attachment_id):
        from consultations import views

        return views.attachment_download(request, self, attachment_id)

    @path("manage/")
    def manage(self, request):
        from consultations import views

        return views.manage(request, self)

    @path("manage/enter/")
    def enter_response(self, request):
        from consultations import views

        return views.enter_response(request, self)

    @path("manage/export/csv/")
    def export_csv(self, request):
        from consultations import views

        return views.export(request, self, "csv")

    @path("manage/export/xlsx/")
    def export_xlsx(self, request):
        from consultations import views

        return views.export(request, self, "xlsx")

    @path("follow/")
    def follow(self, request):
        from consultations import views

        return views.follow(request, self)

    # Wagtail's own page pattern refuses a dot: portal/urls.py hands ``<page path>/outcome.pdf``
    # to Wagtail's serve, whose routing adds the trailing slash matched here.
    @re_path(r"^outcome\.pdf/$")
    def outcome_report_pdf(self, request):
        from consultations import views

        return views.outcome_report(request, self)


class OrganizationIndexPage(Page):
    """``/organizations/``: one section per organization, each with its position statements."""

    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["consultations.OrganizationPage"]
    max_count = 1

    class Meta:
        verbose_name = _("organization index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = (
            OrganizationPage.objects.child_of(self).live().select_related("organization").order_by("title")
        )
        return context


class OrganizationPage(Page):
    """An organization's own section: who they are, and the positions they publish.

    Its editors may touch only this section; see ``consultations.wagtail_hooks``
    and ``services.organization_section_ensure``.
    """

    organization = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="section", verbose_name=_("organization")
    )
    intro = models.TextField(_("introduction"), max_length=800, blank=True)

    content_panels = Page.content_panels + [FieldPanel("organization"), FieldPanel("intro")]
    parent_page_types = ["consultations.OrganizationIndexPage"]
    subpage_types = ["consultations.PositionStatementPage"]

    class Meta:
        verbose_name = _("organization section")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["positions"] = PositionStatementPage.objects.child_of(self).live().order_by("-first_published_at")
        return context


class PositionStatementPage(Page):
    """What an organization thinks, in its own words; may cite the consultations it answers."""

    summary = models.TextField(_("summary"), max_length=800)
    body = StreamField(BaseStreamBlock(), blank=True, verbose_name=_("body"))
    consultations = ParentalManyToManyField(
        "consultations.ConsultationPage", blank=True, related_name="positions", verbose_name=_("consultations cited")
    )

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body"), FieldPanel("consultations")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["consultations.OrganizationPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("position statement")

    @cached_property
    def organization(self) -> Organization:
        parent = OrganizationPage.objects.ancestor_of(self).select_related("organization").first()
        return parent.organization if parent else None

    @cached_property
    def cited_consultations(self):
        return list(ConsultationPage.objects.live().filter(positions=self).order_by("title")) if self.pk else []


# --- responses -------------------------------------------------------------------


class ResponseQuerySet(models.QuerySet):
    def submitted(self):
        return self.filter(status=Response.Status.SUBMITTED)

    def published(self):
        """What anyone may read: submitted, consented to publication, not hidden by a moderator."""
        return self.submitted().filter(
            publication__in=[Response.Publication.NAMED, Response.Publication.ANONYMOUS], hidden_at__isnull=True
        )


class Response(models.Model):
    """One answer to a consultation, by a person as themselves or for an organization.

    ``answers`` is the record of what was typed (question id → value); the
    ``ResponseChoice`` rows are an index of the counted answers, rewritten by
    the same service call, so statistics are plain database aggregates.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    class Publication(models.TextChoices):
        NAMED = "named", _("Publish it with my name (or my organization's)")
        ANONYMOUS = "anonymous", _("Publish it without any name")
        NONE = "none", _("Do not publish it; only the consultation's owner reads it")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        PAPER = "paper", _("Paper (entered by staff)")
        EMAIL = "email", _("E-mail (entered by staff)")

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.PROTECT, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation_responses",
        help_text=_("Empty for paper and e-mailed responses entered by staff."),
    )
    respondent_name = models.CharField(_("respondent's name"), max_length=200)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="consultation_responses"
    )
    stakeholder_group = models.CharField(_("stakeholder group"), max_length=20, choices=StakeholderGroup.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    publication = models.CharField(_("publication"), max_length=10, choices=Publication.choices)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hidden_reason = models.TextField(_("reason for hiding"), max_length=1000, blank=True)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation response")
        verbose_name_plural = _("consultation responses")
        constraints = [
            # One response per organization (any of its representatives may
            # work on it), and one per person answering as themselves.
            models.UniqueConstraint(
                fields=["consultation", "organization"],
                condition=Q(organization__isnull=False),
                name="response_one_per_organization",
            ),
            models.UniqueConstraint(
                fields=["consultation", "respondent"],
                condition=Q(organization__isnull=True, respondent__isnull=False),
                name="response_one_per_individual",
            ),
        ]
        indexes = [models.Index(fields=["consultation", "status", "publication"])]

    def __str__(self) -> str:
        return f"{self.respondent_name} — {self.consultation_id}"

    @property
    def is_published(self) -> bool:
        return (
            self.status == self.Status.SUBMITTED
            and self.publication in (self.Publication.NAMED, self.Publication.ANONYMOUS)
            and self.hidden_at is None
        )

    @property
    def public_name(self) -> str:
        """The name readers may see: the organization's or the person's, only with consent."""
        if self.publication != self.Publication.NAMED:
            return ""
        return self.organization.name if self.organization_id else self.respondent_name

    @property
    def capacity_value(self) -> str:
        return str(self.organization_id) if self.organization_id else "individual"


class ResponseChoice(models.Model):
    """One counted answer (a chosen option, a scale point, yes or no) of a response."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="choices")
    question_id = models.CharField(max_length=64)
    choice = models.CharField(max_length=200)

    class Meta:
        indexes = [models.Index(fields=["question_id", "choice"])]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.choice}"


class ResponseAttachment(models.Model):
    """A file sent with a response (a position paper); stored privately, served through a permission check."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="attachments")
    storage_name = models.CharField(max_length=300)
    display_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.display_name


class ResponseReport(models.Model):
    """A reader's report that a published response breaks the rules; a moderator decides."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="reports")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reason = models.TextField(_("what is wrong"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"report on response {self.response_id}"


class ConsultationFollow(models.Model):
    """Someone who asked to be told when the consultation opens, is about to close, and has an outcome."""

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="follow_once")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.consultation_id}"


class ConsultationNotice(models.Model):
    """A notice that went (or is going) out; its row makes sending it twice impossible."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("The consultation is open")
        CLOSING = "closing", _("The consultation closes in a week")
        OUTCOME = "outcome", _("The outcome is published")

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "kind"], name="notice_once")]

    def __str__(self) -> str:
        return f"{self.kind} notice for {self.consultation_id}"


class OutcomeReport(models.Model):
    """A consultation's outcome report as PDF: rendered by the task worker, stored, served as it is.

    One row per consultation. ``source_key`` says what the latest request
    was made from (the published page, the responses, the positions);
    ``pdf_key`` what the stored PDF was made from. When they agree and the
    status is ready, the PDF is current. See ``consultations.reports``.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for its turn")
        RENDERING = "rendering", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Could not be prepared")

    consultation = models.OneToOneField(ConsultationPage, on_delete=models.CASCADE, related_name="outcome_report")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    source_key = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=10, blank=True)
    pdf = models.BinaryField(null=True, blank=True)
    pdf_key = models.CharField(max_length=64, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf_size = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("outcome report")

    def __str__(self) -> str:
        return f"outcome report for {self.consultation_id} ({self.status})"

    @property
    def is_current(self) -> bool:
        return self.status == self.Status.READY and bool(self.pdf_key) and self.pdf_key == self.source_key

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)
