"""Views under a consultation page: respond, results, manage; and what the index and consultation pages show.

``ConsultationPage`` declares the routes; each function here is registered
under a route's name with ``ConsultationPage.handlers.register`` (see
``consultations.handlers``), so the models never import this module and
this module imports them freely.

Views decide what to show with ``consultations.rules`` and change nothing
themselves: every write goes through ``consultations.services``, which asks
the same rules again.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _

from consultations import exports, reports, rules, selectors, services
from consultations.answers import answer_labels
from consultations.charts import question_chart
from consultations.forms import ReasonForm, ResponseForm, StaffEntryForm, initial_from_answers
from consultations.models import (
    ConsultationFollow,
    ConsultationIndexPage,
    ConsultationPage,
    OutcomeReport,
    Response,
    ResponseAttachment,
    ResponseReport,
    State,
)
from portal.lib.forms import apply_service_errors
from portal.lib.params import object_id
from portal.lib.uploads import private_file_response
from portal.middleware import needs_second_factor
from portal.models import Organization
from portal.rules import organizations_user_can_act_for

RESPONSES_PER_PAGE = 20
INDIVIDUAL = "individual"


def _private(response):
    # Pages with a person's own answers or other people's data must not be cached anywhere.
    add_never_cache_headers(response)
    return response


def _render(request, page, template, context, status=200):
    # A form shown again with its errors is a 200, as Django does: browsers
    # log a 400 as a failed resource, and assistive tech gains nothing from it.
    context = {"page": page, "self": page, "state": page.state, **context}
    return _private(TemplateResponse(request, template, context, status=status))


def _staff_gate(request, page):
    """Staff pages handle other people's data: signed in, and with a second factor."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if needs_second_factor(request.user):
        messages.warning(request, _("Your role gives you access to other people's responses. Set up a second factor."))
        return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
    return None


def _sub_url(page: ConsultationPage, route: str, **params) -> str:
    url = page.url + route
    return f"{url}?{urlencode(params)}" if params else url


# --- the index and the consultation page ---------------------------------------------


@ConsultationIndexPage.handlers.register("context")
def index_context(request, page: ConsultationIndexPage) -> dict:
    """The consultations under the index, filtered by ``?topic=`` and ``?owner=``."""
    return selectors.consultation_index(index_page=page, params=request.GET)


@ConsultationPage.handlers.register("context")
def consultation_context(request, page: ConsultationPage) -> dict:
    """What the consultation page shows besides its content: positions, the reader's own responses, figures."""
    state = page.state
    user = request.user
    context = {
        "state": state,
        "positions": selectors.consultation_positions(consultation=page),
        "can_see_results": rules.can_see_results(user, page, state),
        "can_manage": False,
        "can_enter": False,
        "own_responses": [],
        "following": False,
        "statistics": None,
    }
    if user.is_authenticated:
        context["can_manage"] = rules.can_manage_consultation(user, page)
        context["can_enter"] = rules.can_enter_responses(user, page, state)
        context["following"] = ConsultationFollow.objects.filter(user=user, consultation=page).exists()
        organizations = [c for c in rules.capacities(user, page) if c is not None]
        own = Response.objects.filter(consultation=page).select_related("organization")
        context["own_responses"] = list(
            own.filter(organization__in=organizations) | own.filter(respondent=user, organization__isnull=True)
        )
        context["may_respond"] = state == State.OPEN and bool(rules.capacities(user, page))
    else:
        context["may_respond"] = state == State.OPEN
    if state == State.OUTCOME and page.pk:  # a preview of a page never saved has no report
        context["outcome_report"] = OutcomeReport.objects.filter(consultation=page).defer("pdf").first()
    if state in (State.CLOSED, State.OUTCOME):
        statistics = selectors.consultation_statistics_cached(consultation=page)
        context["statistics"] = statistics
        context["charts"] = [(item, question_chart(item, statistics.groups)) for item in statistics.questions]
    return context


# --- responding ------------------------------------------------------------------


def _capacity_label(organization: Organization | None) -> str:
    return _("Myself, as an individual") if organization is None else organization.name


@ConsultationPage.handlers.register("respond")
def respond(request, page: ConsultationPage):
    """Answer as oneself or for an organization; save a draft, come back, submit, edit until closing."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    state = page.state
    own = Response.objects.filter(consultation=page).select_related("organization")
    capacities = rules.capacities(request.user, page)
    existing = {
        r.capacity_value: r
        for r in own.filter(organization__in=[c for c in capacities if c is not None])
        | own.filter(respondent=request.user, organization__isnull=True)
    }
    if state != State.OPEN:
        # Frozen: people may still read what they sent.
        return _render(request, page, "consultations/respond_closed.html", {"responses": existing.values()}, status=403)
    if not capacities:
        return _render(request, page, "consultations/respond_refused.html", {}, status=403)

    chosen = request.POST.get("capacity") if request.method == "POST" else request.GET.get("as")
    if chosen is None and len(capacities) == 1:
        chosen = INDIVIDUAL if capacities[0] is None else str(capacities[0].pk)
    options = {INDIVIDUAL if c is None else str(c.pk): c for c in capacities}
    if chosen not in options:
        if request.method == "POST" and chosen:
            # Posted for an organization this person may not (or no longer) speak for.
            raise PermissionDenied(_("You cannot respond for that organization."))
        choices = [(key, _capacity_label(org), existing.get(key)) for key, org in options.items()]
        return _render(request, page, "consultations/respond_choose.html", {"choices": choices})

    organization = options[chosen]
    response = existing.get(chosen)
    if response is not None and not rules.can_edit_response(request.user, response, state):
        return _render(request, page, "consultations/respond_closed.html", {"responses": [response]}, status=403)
    questions = page.reader_questions
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        if response is None:
            raise Http404
        services.response_withdraw(user=request.user, response=response)
        messages.success(request, _("Your response is withdrawn: it is deleted and no longer counted."))
        return redirect(page.url)
    if request.method == "POST":
        submitting = request.POST.get("action") == "submit" or (
            response is not None and response.status == Response.Status.SUBMITTED
        )
        form = ResponseForm(request.POST, request.FILES, questions=questions, submitting=submitting)
        if form.is_valid():
            service = services.response_submit if submitting else services.response_save_draft
            try:
                saved = service(
                    user=request.user,
                    consultation=page,
                    organization=organization,
                    answers=form.answers(),
                    publication=form.cleaned_data.get("publication") or None,
                    attachments=form.cleaned_data.get("attachments") or [],
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                if submitting:
                    messages.success(
                        request,
                        _(
                            "Thank you: your response has been submitted. "
                            "You can change it until the consultation closes."
                        ),
                    )
                else:
                    messages.success(request, _("Your draft is saved. It is not sent until you submit it."))
                return redirect(_sub_url(page, "respond/", **{"as": saved.capacity_value}))
    else:
        initial = (
            {"publication": response.publication} if response and response.status == Response.Status.SUBMITTED else {}
        )
        if response is not None:
            initial.update(initial_from_answers(questions, response.answers))
            if response.status == Response.Status.DRAFT and response.publication != Response.Publication.NONE:
                initial["publication"] = response.publication
        form = ResponseForm(initial=initial, questions=questions)
    return _render(
        request,
        page,
        "consultations/respond.html",
        {
            "form": form,
            "response": response,
            "capacity": chosen,
            "organization": organization,
            "capacity_label": _capacity_label(organization),
            "other_capacities": len(options) > 1,
        },
    )


# --- results and responses ----------------------------------------------------------


def _scope(request, page) -> str:
    wants_all = request.GET.get("scope") == selectors.SCOPE_ALL
    if wants_all and rules.can_manage_consultation(request.user, page):
        return selectors.SCOPE_ALL
    return selectors.SCOPE_PUBLISHED


@ConsultationPage.handlers.register("results")
def results(request, page: ConsultationPage):
    """Per-question statistics by stakeholder group, as charts and tables."""
    if not rules.can_see_results(request.user, page):
        return _render(request, page, "consultations/results_not_yet.html", {}, status=403)
    scope = _scope(request, page)
    if scope == selectors.SCOPE_ALL and (gate := _staff_gate(request, page)):
        return gate
    statistics = selectors.consultation_statistics_cached(consultation=page, scope=scope)
    charts = [(item, question_chart(item, statistics.groups)) for item in statistics.questions]
    context = {
        "statistics": statistics,
        "charts": charts,
        "scope": scope,
        "can_manage": rules.can_manage_consultation(request.user, page),
    }
    response = _render(request, page, "consultations/results.html", context)
    if scope == selectors.SCOPE_PUBLISHED:
        # Public figures may be cached by the browser; they change rarely after closing.
        response.headers.pop("Cache-Control", None)
        response.headers.pop("Expires", None)
    return response


@ConsultationPage.handlers.register("responses_list")
def published_responses(request, page: ConsultationPage):
    """The published responses, paginated; the owner may list every submitted one."""
    if not rules.can_see_results(request.user, page):
        return _render(request, page, "consultations/results_not_yet.html", {}, status=403)
    scope = _scope(request, page)
    if scope == selectors.SCOPE_ALL and (gate := _staff_gate(request, page)):
        return gate
    paginator = Paginator(selectors.responses_for_reading(consultation=page, scope=scope), RESPONSES_PER_PAGE)
    responses_page = paginator.get_page(request.GET.get("page"))
    questions = page.reader_questions
    for item in responses_page:
        item.rendered_answers = [
            (q, item.answers[q.id], answer_labels(q, item.answers[q.id])) for q in questions if item.answers.get(q.id)
        ]
    return _render(
        request,
        page,
        "consultations/responses.html",
        {
            "responses_page": responses_page,
            "scope": scope,
            "can_moderate": rules.can_moderate_responses(request.user, page),
            "signed_in": request.user.is_authenticated,
        },
    )


def _response_or_404(page, response_id) -> Response:
    return get_object_or_404(
        Response.objects.select_related("organization", "consultation"), pk=response_id, consultation=page
    )


@ConsultationPage.handlers.register("report_response")
def report_response(request, page: ConsultationPage, response_id: int):
    """A signed-in reader tells the moderators what is wrong with a published response."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    response = _response_or_404(page, response_id)
    if not rules.can_report_response(request.user, response):
        raise Http404
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = _("What is wrong with this response?")
    if request.method == "POST" and form.is_valid():
        try:
            services.response_report(user=request.user, response=response, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error.messages)
        else:
            messages.success(request, _("Thank you. The consultation's moderators will look at it."))
            return redirect(_sub_url(page, "responses/"))
    return _render(
        request,
        page,
        "consultations/reason.html",
        {"form": form, "target": response, "action": "report"},
    )


@ConsultationPage.handlers.register("hide_response")
def hide_response(request, page: ConsultationPage, response_id: int):
    """A moderator takes a response off the public pages, with a reason (or puts it back)."""
    if gate := _staff_gate(request, page):
        return gate
    if not rules.can_moderate_responses(request.user, page):
        raise PermissionDenied
    response = _response_or_404(page, response_id)
    if request.method == "POST" and request.POST.get("unhide"):
        services.response_unhide(moderator=request.user, response=response)
        messages.success(request, _("The response is shown again."))
        return redirect(_sub_url(page, "manage/"))
    form = ReasonForm(request.POST or None)
    form.fields["reason"].label = _("Why is this response hidden?")
    if request.method == "POST" and form.is_valid():
        try:
            services.response_hide(moderator=request.user, response=response, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error.messages)
        else:
            messages.success(request, _("The response is hidden from every public page and export."))
            return redirect(_sub_url(page, "manage/"))
    return _render(
        request,
        page,
        "consultations/reason.html",
        {"form": form, "target": response, "action": "hide"},
    )


@ConsultationPage.handlers.register("attachment")
def attachment_download(request, page: ConsultationPage, attachment_id: int):
    """Serve an attachment after the read rule says yes; never from a public media URL."""
    attachment = get_object_or_404(
        ResponseAttachment.objects.select_related("response__consultation", "response__organization"),
        pk=attachment_id,
        response__consultation=page,
    )
    if not rules.can_download_attachment(request.user, attachment):
        raise Http404
    # Read as the owner, someone else's withheld file is other people's data,
    # like every owner page: a second factor first.
    if not (rules.attachment_is_public(attachment) or rules.is_own_attachment(request.user, attachment)):
        if gate := _staff_gate(request, page):
            return gate
    return _private(
        private_file_response(
            attachment.storage_name, display_name=attachment.display_name, content_type=attachment.content_type
        )
    )


# --- the owner's side -------------------------------------------------------------------


@ConsultationPage.handlers.register("manage")
def manage(request, page: ConsultationPage):
    """The owner's desk: counts, reports to moderate, hidden responses, exports, paper entry."""
    if gate := _staff_gate(request, page):
        return gate
    can_manage = rules.can_manage_consultation(request.user, page)
    can_enter = rules.can_enter_responses(request.user, page)
    if not (can_manage or can_enter):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "close_now":
        try:
            services.consultation_close_now(user=request.user, consultation=page)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The consultation is closed. Respondents can no longer answer."))
        return redirect(_sub_url(page, "manage/"))
    responses = Response.objects.filter(consultation=page)
    counts = responses.aggregate(
        drafts=Count("pk", filter=Q(status=Response.Status.DRAFT)),
        submitted=Count("pk", filter=Q(status=Response.Status.SUBMITTED)),
        published=Count(
            "pk",
            filter=Q(
                status=Response.Status.SUBMITTED,
                hidden_at__isnull=True,
                publication__in=[Response.Publication.NAMED, Response.Publication.ANONYMOUS],
            ),
        ),
        entered=Count("pk", filter=~Q(channel=Response.Channel.ONLINE)),
        hidden=Count("pk", filter=Q(hidden_at__isnull=False)),
    )
    context = {
        "counts": counts,
        "can_manage": can_manage,
        "can_close_now": can_manage and page.is_open,
        "can_enter": can_enter,
        "open_reports": (
            ResponseReport.objects.filter(response__consultation=page, resolved_at__isnull=True).select_related(
                "response"
            )[:50]
            if can_manage
            else []
        ),
        "hidden": responses.filter(hidden_at__isnull=False).select_related("hidden_by")[:50] if can_manage else [],
        "entered": responses.exclude(channel=Response.Channel.ONLINE).select_related("entered_by").order_by("-pk")[:50],
    }
    return _render(request, page, "consultations/manage.html", context)


@ConsultationPage.handlers.register("enter_response")
def enter_response(request, page: ConsultationPage):
    """Key in a paper or e-mailed response (or correct one, with ``?response=<id>``)."""
    if gate := _staff_gate(request, page):
        return gate
    if not rules.can_enter_responses(request.user, page):
        raise PermissionDenied
    existing = None
    if raw_id := request.GET.get("response"):
        # A mangled id finds nothing, like an id that does not exist.
        if (response_id := object_id(raw_id)) is None:
            raise Http404
        existing = get_object_or_404(
            Response.objects.exclude(channel=Response.Channel.ONLINE), pk=response_id, consultation=page
        )
    questions = page.reader_questions
    if request.method == "POST":
        form = StaffEntryForm(request.POST, request.FILES, questions=questions)
        if form.is_valid():
            try:
                services.response_enter_on_behalf(
                    staff=request.user,
                    consultation=page,
                    respondent_name=form.cleaned_data["respondent_name"],
                    organization=form.cleaned_data["organization"],
                    channel=form.cleaned_data["channel"],
                    answers=form.answers(),
                    publication=form.cleaned_data["publication"],
                    attachments=form.cleaned_data.get("attachments") or [],
                    response=existing,
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The response is entered, marked as received on paper or by e-mail."))
                return redirect(_sub_url(page, "manage/"))
    else:
        initial = {}
        if existing is not None:
            initial = initial_from_answers(questions, existing.answers)
            initial.update(
                respondent_name=existing.respondent_name,
                organization=existing.organization_id,
                channel=existing.channel,
                publication=existing.publication,
            )
        form = StaffEntryForm(initial=initial, questions=questions)
    return _render(
        request,
        page,
        "consultations/enter.html",
        {"form": form, "existing": existing},
    )


@ConsultationPage.handlers.register("export")
def export(request, page: ConsultationPage, file_format: str):
    """Every response as CSV or XLSX; ``?scope=published`` gives only what may be shared."""
    if gate := _staff_gate(request, page):
        return gate
    if not rules.can_export_responses(request.user, page):
        raise PermissionDenied
    scope = selectors.SCOPE_PUBLISHED if request.GET.get("scope") == selectors.SCOPE_PUBLISHED else selectors.SCOPE_ALL
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    base = f"{slugify(page.slug)[:50] or 'consultation'}-{scope}-{stamp}"
    if file_format == "csv":
        response = StreamingHttpResponse(exports.csv_chunks(page, scope), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{base}.csv"'
    else:
        response = HttpResponse(
            exports.xlsx_bytes(page, scope),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{base}.xlsx"'
    return _private(response)


@ConsultationPage.handlers.register("follow")
def follow(request, page: ConsultationPage):
    """Follow (or stop following) a consultation; POST only, back to the page."""
    if not request.user.is_authenticated:
        return redirect_to_login(page.url)
    if request.method != "POST":
        return redirect(page.url)
    if request.POST.get("stop"):
        services.consultation_unfollow(user=request.user, consultation=page)
        messages.success(request, _("You will no longer receive e-mails about this consultation."))
    else:
        services.consultation_follow(user=request.user, consultation=page)
        messages.success(
            request,
            _("You will be e-mailed when it opens, a week before it closes, and when the outcome is published."),
        )
    return redirect(page.url)


@ConsultationPage.handlers.register("outcome_report_pdf")
def outcome_report(request, page: ConsultationPage):
    """The outcome report as PDF: the stored bytes when current; otherwise its progress, and a render is asked for.

    Only once the outcome is published (the page itself is served only when
    live); before that the address does not exist.
    """
    if page.state != State.OUTCOME:
        raise Http404
    key = reports.report_source_key(page)
    report = OutcomeReport.objects.filter(consultation=page).defer("pdf").first()
    if report is not None and report.status == OutcomeReport.Status.READY and report.pdf_key == key:
        etag = f'"{report.pdf_sha256}"'
        if request.headers.get("If-None-Match") == etag:
            return HttpResponse(status=304, headers={"ETag": etag})
        pdf = OutcomeReport.objects.filter(pk=report.pk).values_list("pdf", flat=True).get()
        # Streamed from memory: the stored bytes as they are, and kept out of the anonymous page cache.
        response = FileResponse(
            io.BytesIO(bytes(pdf)),
            content_type="application/pdf",
            filename=f"{slugify(page.slug) or 'consultation'}-outcome.pdf",
        )
        response["ETag"] = etag
        response["Cache-Control"] = "no-cache"
        return response
    report = services.outcome_report_request(consultation=page)
    return _render(request, page, "consultations/report_pending.html", {"report": report}, status=202)


def my_section(request) -> tuple[str, dict]:
    """The consultations block of ``/my/``: responses a person wrote, or may continue for their organization."""
    organizations = organizations_user_can_act_for(request.user)
    responses = (
        Response.objects.filter(
            Q(respondent=request.user, organization__isnull=True) | Q(organization__in=organizations)
        )
        .select_related("consultation", "organization")
        .order_by("-updated_at")[:50]
    )
    return "consultations/my_section.html", {"responses": responses}
