"""The complainant's pages: lodge, track, follow and answer a grievance.

Staff pages live in ``grievances.workspace``; the two never share a view, so
a complainant-side change cannot leak a staff-only detail.
Every page here is sent with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from grievances import access, letters, pending, receipts, services, throttle
from grievances.forms import (
    AppealForm,
    InformationForm,
    LanguageForm,
    LodgeForm,
    MessageForm,
    TrackForm,
    WithdrawForm,
)
from grievances.models import Attachment, Grievance
from grievances.pins import check_pin
from grievances.presentation import explain
from grievances.workflow import COMPLAINANT, OPEN_STATES, ActionRefused, Status, allowed
from portal import registry
from portal.lib.forms import apply_service_errors
from portal.lib.uploads import private_file_response


def too_many_attempts(request, seconds: int, *, what: str):
    retry_at = timezone.localtime() + timedelta(seconds=seconds)
    response = render(
        request,
        "grievances/too_many.html",
        {"retry_at": retry_at, "minutes": max(1, round(seconds / 60)), "what": what},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


def _apply_service_errors(form, error: ValidationError, request=None) -> None:
    if request is not None and not hasattr(error, "error_dict"):
        # Not about a field (e.g. a closed appeal window): say it at the top of the page,
        # which shows even where the form itself is no longer offered.
        for message in error.messages:
            messages.error(request, message)
    else:
        apply_service_errors(form, error)


# --- lodging ------------------------------------------------------------------------


class _AlreadyLodged(Exception):
    def __init__(self, grievance: Grievance):
        super().__init__(grievance.reference)
        self.grievance = grievance


def _claim_submission(key):
    """The form's one-time key, claimed in the caller's transaction; a key already used raises _AlreadyLodged."""
    claimed = services.submission_claim(scope="web", key=key, body="") if key else None
    if claimed is not None and not claimed.first:
        raise _AlreadyLodged(claimed.record.grievance)
    return claimed


@never_cache
@require_http_methods(["GET", "POST"])
def lodge(request):
    user = request.user if request.user.is_authenticated else None
    if request.method == "POST":
        limits = [(throttle.LODGE_PER_ADDRESS, throttle.client_address(request))]
        if user is not None:
            limits = [(throttle.LODGE_PER_USER, str(user.pk))]
        for limit, key in limits:
            if seconds := throttle.retry_after(limit, key):
                return too_many_attempts(request, seconds, what="lodge")
        form = LodgeForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            data = form.cleaned_data
            on_behalf = form.on_behalf
            same = _same_matter(request, form, user)
            if same is not None:
                return same
            try:
                with transaction.atomic():
                    claimed = _claim_submission(data["submission"])
                    lodged = services.grievance_lodge(
                        category=data["category"],
                        description=data["description"],
                        contact_preference=data["contact_preference"],
                        confidentiality=data["confidentiality"],
                        complainant=user if not on_behalf else None,
                        anonymous=data["anonymous"],
                        contact_name=data["contact_name"],
                        contact_phone=data["contact_phone"],
                        contact_email=data["contact_email"],
                        occurred_on=data["occurred_on"],
                        programme=data["programme"],
                        region=data["region"],
                        sex_gender=data.get("sex_gender") or Grievance.SexGender.NOT_GIVEN,
                        attachments=data["attachments"],
                        lodged_by=user if on_behalf else None,
                        lodged_by_organization=data.get("organization") if on_behalf else None,
                        member_name=data.get("member_name", "") if on_behalf else "",
                        member_account=data.get("member_account") if on_behalf else None,
                        member_identity_withheld=bool(data.get("member_identity_withheld")) if on_behalf else False,
                        consent_given=bool(data.get("consent")),
                        people_affected=(data.get("people_affected") or 1) if on_behalf else 1,
                        language=get_language() or "en",
                    )
                    if claimed is not None:
                        services.submission_settle(submission=claimed, grievance=lodged.grievance)
                    # Last in the transaction: a refused lodging is not counted.
                    for limit, limit_key in limits:
                        throttle.record(limit, limit_key)
            except _AlreadyLodged as repeated:
                # The same page sent again (a double click, a reload): its first case, never a second.
                # The PIN is not kept in clear, so only the first acknowledgement can show it.
                first = repeated.grievance
                messages.info(request, _("You had already sent this form. This is the grievance it lodged."))
                response = redirect("grievances:acknowledgement", reference=first.reference)
                receipts.give(request, response, reference=first.reference, pin_hash=first.pin_hash, pin=None)
                return response
            except ValidationError as error:
                _apply_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error("organization" if "organization" in form.fields else None, str(error))
            else:
                # The acknowledgement and the case travel to this browser in its sealed receipt,
                # not in a session: no session row is written for a lodging (see receipts).
                case = lodged.grievance
                response = redirect("grievances:acknowledgement", reference=case.reference)
                receipts.give(request, response, reference=case.reference, pin_hash=case.pin_hash, pin=lodged.pin)
                throttle.give_track_pass(request, response, case.reference)
                return response
        if form.errors and (request.FILES or form.has_error("attachments")):
            # Browsers cannot keep chosen files across a page load; say so.
            form.attachments_need_choosing_again = True
    else:
        form = LodgeForm(user=user)
    return render(request, "grievances/lodge.html", {"form": form})


SAME_CASE_FIELD = "same_case"
NEW_CASE = "new"


def _same_matter(request, form, user):
    """Before lodging for a signed-in person: ask whether it is the same matter as one of their open cases.

    ``None`` lets the lodging go on (nobody signed in, lodging for someone else or anonymously, the
    person chose "new", or no open case of theirs is close). Otherwise the answer to send: the form again
    with the question (everything typed kept; files asked for again), or, when the person said "yes",
    their words added to that case through the complainant's own services, and no new case.
    """
    data = form.cleaned_data
    if user is None or form.on_behalf or data["anonymous"]:
        return None  # anonymous lodging stays as it was: no lookup, no query
    choice = request.POST.get(SAME_CASE_FIELD, "")
    if choice == NEW_CASE:
        return None
    if choice:
        return _add_to_own_case(request, form, user, choice)
    found = registry.similar_open_case(user=user, text=data["description"], language=get_language() or "en")
    if found is None:
        return None
    form.attachments_need_choosing_again = bool(data["attachments"])
    return render(request, "grievances/lodge.html", {"form": form, "same_case": found})


def _add_to_own_case(request, form, user, reference: str):
    data = form.cleaned_data
    # Only the person's own open case, whatever reference the page sent.
    grievance = (
        Grievance.objects.for_complainant(user)
        .filter(reference=reference, anonymous=False, status__in=OPEN_STATES)
        .first()
    )
    if grievance is None:
        form.add_error(None, _("That grievance is no longer open. You can send this as a new grievance."))
        return render(request, "grievances/lodge.html", {"form": form}, status=400)
    step = services.grievance_provide_information if grievance.status == Status.AWAITING_COMPLAINANT else None
    try:
        with transaction.atomic():
            claimed = _claim_submission(data["submission"])
            (step or services.grievance_reply)(
                grievance=grievance, body=data["description"], attachments=data["attachments"], user=user
            )
            if claimed is not None:
                services.submission_settle(submission=claimed, grievance=grievance)
    except _AlreadyLodged as repeated:
        messages.info(request, _("You had already sent this form. Your words are on this grievance."))
        return redirect(repeated.grievance.get_absolute_url())
    except (ValidationError, ActionRefused) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return render(request, "grievances/lodge.html", {"form": form}, status=400)
    messages.success(
        request, _("Your words were added to your grievance %(reference)s.") % {"reference": grievance.reference}
    )
    return redirect(grievance.get_absolute_url())


@never_cache
def acknowledgement(request, reference: str):
    """The reference and, once only, the PIN: printable, and shown after lodging."""
    grievance = access.grievance_for_complainant(request, reference)
    pin, remaining = receipts.take_pin(request, reference=grievance.reference)
    response = render(
        request,
        "grievances/acknowledgement.html",
        {"grievance": grievance, "pin": pin, "explanation": explain(grievance)},
    )
    receipts.send_back(response, remaining)
    return response


# --- tracking -----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"]
        address = throttle.client_address(request)
        lock_key = reference or form.data.get("reference", "").strip().upper()
        # A browser that opened this case before is judged by its own lock, which strangers'
        # failures never reach: whoever knows a reference cannot lock its owner out (see throttle).
        if throttle.has_track_pass(request, lock_key):
            limits = [(throttle.TRACK_FAILURES_WITH_PASS, lock_key)]
        else:
            limits = [(throttle.TRACK_FAILURES_PER_REFERENCE, lock_key), (throttle.TRACK_FAILURES_PER_ADDRESS, address)]
        # Locks are checked before the PIN: the right PIN does not lift a lock.
        for limit, key in limits:
            if seconds := throttle.retry_after(limit, key):
                return too_many_attempts(request, seconds, what="track")
        grievance = Grievance.objects.filter(reference=reference).first() if reference else None
        if grievance is not None and check_pin(form.cleaned_data["pin"], grievance.pin_hash):
            access.grant(request, grievance)
            response = redirect(grievance.get_absolute_url())
            throttle.give_track_pass(request, response, grievance.reference)
            return response
        if grievance is None and reference and (waiting := pending.find(reference, form.cleaned_data["pin"])):
            # Given out on a field visit and not yet arrived: say so, with the same PIN check as a case.
            return render(request, "grievances/track_pending.html", {"pending": waiting})
        for limit, key in limits:
            throttle.record(limit, key)
        # One message whatever was wrong: nobody learns whether a reference exists.
        form.add_error(None, _("That reference and PIN do not match. Check both and try again."))
    return render(request, "grievances/track.html", {"form": form})


# --- the case page --------------------------------------------------------------------


def _case_context(request, grievance: Grievance, **forms) -> dict:
    can = {
        action: allowed(action, grievance.status, COMPLAINANT)
        for action in ("reply", "provide_information", "accept", "appeal", "withdraw")
    }
    can["appeal"] = can["appeal"] and grievance.appeal_window_open
    events = list(
        grievance.events.filter(public=True)
        .select_related("actor")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )
    return {
        "grievance": grievance,
        "explanation": explain(grievance),
        "events": events,
        "information_request": grievance.open_information_request,
        "lodged_attachments": [a for e in events if e.kind == "lodged" for a in e.attachments.all()],
        "can": can,
        "is_owner": access.is_owner(request.user, grievance),
        "has_outcome_letter": letters.has_outcome(grievance),
        "message_form": forms.get("message_form") or MessageForm(),
        "information_form": forms.get("information_form") or InformationForm(),
        "appeal_form": forms.get("appeal_form") or AppealForm(),
        "language_form": forms.get("language_form") or LanguageForm(initial={"language": grievance.language}),
        # What the wings say about this case to its complainant (a recognised systemic issue…).
        "notes": registry.case_page_notes(grievance),
    }


@never_cache
def case(request, reference: str):
    grievance = access.grievance_for_complainant(request, reference)
    return render(request, "grievances/case.html", _case_context(request, grievance))


def _complainant_post(request, reference, form_class, context_name, service, success_message):
    grievance = access.grievance_for_complainant(request, reference)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            service(grievance=grievance, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error, request)
        except ActionRefused as refused:
            messages.error(request, str(refused))
            return redirect(grievance.get_absolute_url())
        else:
            messages.success(request, success_message)
            return redirect(grievance.get_absolute_url())
    if request.FILES or form.has_error("attachments"):
        form.attachments_need_choosing_again = True
    grievance.refresh_from_db()
    return render(
        request, "grievances/case.html", _case_context(request, grievance, **{context_name: form}), status=400
    )


@never_cache
@require_POST
def reply(request, reference: str):
    return _complainant_post(
        request, reference, MessageForm, "message_form", services.grievance_reply, _("Your message has been added.")
    )


@never_cache
@require_POST
def provide_information(request, reference: str):
    return _complainant_post(
        request,
        reference,
        InformationForm,
        "information_form",
        services.grievance_provide_information,
        _("Thank you. Your answer has been sent to the agency."),
    )


@never_cache
@require_POST
def change_language(request, reference: str):
    """The complainant chooses the language of their notices and letters (on the timeline, through the service)."""
    return _complainant_post(
        request,
        reference,
        LanguageForm,
        "language_form",
        services.grievance_set_language,
        _("From now on you will hear from us in the language you chose."),
    )


@never_cache
@require_POST
def accept(request, reference: str):
    grievance = access.grievance_for_complainant(request, reference)
    try:
        services.grievance_accept(grievance=grievance, user=request.user)
    except ActionRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("You accepted the decision. The grievance is now closed."))
    return redirect(grievance.get_absolute_url())


@never_cache
@require_POST
def appeal(request, reference: str):
    return _complainant_post(
        request, reference, AppealForm, "appeal_form", services.grievance_appeal, _("Your appeal has been sent.")
    )


@never_cache
@require_http_methods(["GET", "POST"])
def withdraw(request, reference: str):
    grievance = access.grievance_for_complainant(request, reference)
    if not allowed("withdraw", grievance.status, COMPLAINANT):
        messages.error(request, _("This grievance is already closed."))
        return redirect(grievance.get_absolute_url())
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.grievance_withdraw(grievance=grievance, reason=form.cleaned_data["reason"], user=request.user)
        except ActionRefused as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Your grievance has been withdrawn."))
        return redirect(grievance.get_absolute_url())
    return render(request, "grievances/withdraw.html", {"grievance": grievance, "form": form})


@never_cache
def attachment(request, reference: str, attachment_id: int):
    """A file from the public timeline, for the complainant only."""
    grievance = access.grievance_for_complainant(request, reference)
    item = Attachment.objects.filter(pk=attachment_id, grievance=grievance, event__public=True).first()
    if item is None:
        raise Http404
    return private_file_response(item.storage_name, display_name=item.display_name, content_type=item.content_type)


@never_cache
def outcome_letter(request, reference: str):
    """The outcome letter as PDF, through the same gate as the case page; 404 before a decision."""
    grievance = access.grievance_for_complainant(request, reference)
    letter = letters.outcome_letter_for(grievance)
    if letter is None:
        raise Http404
    return letters.letter_response(letter, grievance)


@never_cache
@require_http_methods(["GET"])
def verify_letter(request):
    """Anyone holding a letter checks its code; the answer repeats only what the letter says."""
    code = request.GET.get("code", "")
    letter = letters.letter_verify(code) if code else None
    context = {"code": code[:200], "issued": letters.as_issued(letter) if letter else None, "checked": bool(code)}
    return render(request, "grievances/verify_letter.html", context, status=404 if code and letter is None else 200)


def my_section(request) -> tuple[str, dict]:
    """The grievances block of ``/my/``: cases a person lodged, or that were lodged for or by them."""
    grievances = (
        Grievance.objects.for_complainant(request.user)
        .select_related("category__parent", "agency", "lodged_by_organization")
        .order_by("-lodged_at")[:50]
    )
    return "grievances/my_section.html", {"grievances": grievances}
