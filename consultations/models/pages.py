"""The consultation and organization pages (Wagtail page types).

``ConsultationIndexPage`` → ``ConsultationPage``; ``OrganizationIndexPage``
→ ``OrganizationPage`` → ``PositionStatementPage``. A consultation's state
(upcoming, open, closed, outcome published) is computed from its dates and
its outcome; nothing stores it.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager, Workflow
from wagtail.query import PageQuerySet
from wagtail.search import index

from consultations.blocks import Question, QuestionStreamBlock, questions_from_stream, questions_in_words_of
from consultations.handlers import PageHandlers
from consultations.models.admin_forms import ConsultationAdminForm, PositionStatementAdminForm
from consultations.models.responses import Response
from home.blocks import BaseStreamBlock
from portal import registry
from portal.models import Organization


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


class ConsultationQuerySet(PageQuerySet):
    """Consultations by state, computed from the dates at ``now``."""

    def upcoming(self, now=None):
        return self.filter(opens_at__gt=now or timezone.now())

    def open(self, now=None):
        now = now or timezone.now()
        return self.filter(opens_at__lte=now, closes_at__gt=now)

    def closed(self, now=None):
        return self.filter(closes_at__lte=now or timezone.now())

    def sources(self):
        """Only the consultations themselves, not their translations (see ``ConsultationPage.source``)."""
        earlier = Page.objects.filter(translation_key=OuterRef("translation_key"), pk__lt=OuterRef("pk"))
        return self.exclude(Exists(earlier))


class ConsultationIndexPage(Page):
    """``/consultations/``: open, upcoming and closed consultations, by topic and owner."""

    intro = models.TextField(_("introduction"), max_length=600, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["home.HomePage"]
    subpage_types = ["consultations.ConsultationPage"]
    max_count = 1

    # The listing is read by consultations.selectors, which imports this module: see consultations.handlers.
    handlers = PageHandlers("ConsultationIndexPage")

    class Meta:
        verbose_name = _("consultation index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.handlers("context", request, self))
        return context


def owner_approvers_group_name(organization: Organization) -> str:
    """The group of one government body's consultation approvers (``consultation_owners_sync`` fills it)."""
    return f"consultations:{organization.slug}:approvers"[:150]


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
    base_form_class = ConsultationAdminForm
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["consultations.ConsultationIndexPage"]
    subpage_types: list[str] = []

    objects = PageManager.from_queryset(ConsultationQuerySet)()

    # The routes below are declared here and served by consultations.views, which registers a function
    # under each route's name; this module never imports the views (see consultations.handlers).
    handlers = PageHandlers("ConsultationPage")

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

    @cached_property
    def reader_questions(self) -> list[Question]:
        """The questions as the reader reads them: in the words of the translation they came through.

        What is stored and counted stays the source's (``question_list``).
        """
        through = getattr(self, "read_through", None)
        if through is None or through.pk == self.pk:
            return self.question_list
        return questions_in_words_of(self.question_list, through.question_list)

    def get_workflow(self):
        """The owner's own approval workflow, so that one body's drafts never reach another's approvers.

        Wagtail would take the consultation index's workflow, shared by every
        government body: its task, its e-mails and its "awaiting your review"
        list would show each body's draft titles to all of them.
        """
        if not getattr(settings, "WAGTAIL_WORKFLOW_ENABLED", True) or self.owner_organization_id is None:
            return super().get_workflow()
        own = (
            Workflow.objects.filter(
                active=True,
                workflow_tasks__task__active=True,
                workflow_tasks__task__groupapprovaltask__groups__name=owner_approvers_group_name(
                    self.owner_organization
                ),
            )
            .order_by("pk")
            .first()
        )
        return own or super().get_workflow()

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

    @cached_property
    def source(self) -> ConsultationPage:
        """The consultation itself, whichever of its translations is read.

        Translations (wagtail-localize, or Wagtail's copy for translation) share
        a ``translation_key``; the first created of them is the source.
        Responses, follows, notices and reports belong to the source only, so a
        consultation read in Thai and in English counts one set of answers, and
        answers stay keyed by the source's question ids and option wording.
        """
        if not self.pk:
            return self
        first = ConsultationPage.objects.filter(translation_key=self.translation_key).order_by("pk").first()
        if first is None or first.pk == self.pk:
            return self
        # Links from the pages under a translation stay in the reader's language (see get_url_parts).
        first.read_through = self
        return first

    def get_url_parts(self, request=None):
        # The source handed to a translation's sub-pages answers with the translation's address.
        through = getattr(self, "read_through", None)
        if through is not None:
            return through.get_url_parts(request)
        return super().get_url_parts(request)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The reader sees this translation's words; what is counted and followed is the source's.
        context.update(self.handlers("context", request, self.source))
        context["notes"] = registry.consultation_page_notes(self)
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            # The page shows the reader's own drafts and follow status.
            response.headers["Cache-Control"] = "private, no-cache"
        return response

    # --- sub-pages: responding and results live under the consultation ----------
    # Under a translation they serve the source consultation (see ``source``): one set of
    # responses, follows and reports, whichever language a respondent reads.

    @path("respond/")
    def respond(self, request):
        return self.handlers("respond", request, self.source)

    @path("results/")
    def results(self, request):
        return self.handlers("results", request, self.source)

    @path("responses/")
    def responses_list(self, request):
        return self.handlers("responses_list", request, self.source)

    @path("responses/<int:response_id>/report/")
    def report_response(self, request, response_id):
        return self.handlers("report_response", request, self.source, response_id)

    @path("responses/<int:response_id>/hide/")
    def hide_response(self, request, response_id):
        return self.handlers("hide_response", request, self.source, response_id)

    @path("attachments/<int:attachment_id>/")
    def attachment(self, request, attachment_id):
        return self.handlers("attachment", request, self.source, attachment_id)

    @path("manage/")
    def manage(self, request):
        return self.handlers("manage", request, self.source)

    @path("manage/enter/")
    def enter_response(self, request):
        return self.handlers("enter_response", request, self.source)

    @path("manage/analysis/")
    def analysis(self, request):
        return self.handlers("analysis", request, self.source)

    @path("manage/analysis/answers/")
    def analysis_answers(self, request):
        return self.handlers("analysis_answers", request, self.source)

    @path("manage/export/csv/")
    def export_csv(self, request):
        return self.handlers("export", request, self.source, "csv")

    @path("manage/export/xlsx/")
    def export_xlsx(self, request):
        return self.handlers("export", request, self.source, "xlsx")

    @path("follow/")
    def follow(self, request):
        return self.handlers("follow", request, self.source)

    # Wagtail's own page pattern refuses a dot: portal/urls.py hands ``<page path>/outcome.pdf``
    # to Wagtail's serve, whose routing adds the trailing slash matched here.
    @re_path(r"^outcome\.pdf/$")
    def outcome_report_pdf(self, request):
        return self.handlers("outcome_report_pdf", request, self.source)


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

    # One section per organization in each language: its translations carry the same organization.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="sections", verbose_name=_("organization")
    )
    intro = models.TextField(_("introduction"), max_length=800, blank=True)

    content_panels = Page.content_panels + [FieldPanel("organization"), FieldPanel("intro")]
    parent_page_types = ["consultations.OrganizationIndexPage"]
    subpage_types = ["consultations.PositionStatementPage"]

    class Meta:
        verbose_name = _("organization section")

    def clean(self):
        super().clean()
        # Not a database constraint: the locale lives in Wagtail's page table, the organization here.
        others = OrganizationPage.objects.filter(organization_id=self.organization_id, locale_id=self.locale_id)
        if self.organization_id and others.exclude(pk=self.pk).exists():
            raise ValidationError({"organization": _("This organization already has a section in this language.")})

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
    base_form_class = PositionStatementAdminForm
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
