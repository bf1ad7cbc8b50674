"""The agency workspace: case queues, the staff case page, its actions, assisted intake.

Kept apart from the complainant's pages (``grievances.views``): nothing here
is reachable from there and the two share no view. Every case is found
through ``Grievance.objects.visible_to`` (a case outside it answers 404,
never 403), every change goes through a service, and every opening of a case
page writes an access record.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from grievances import letters, rules, sections, services, sla, timeline
from grievances import selectors as case_selectors
from grievances.models import CaseAccess, Grievance
from grievances.pins import pin_keep_for_showing, pin_take_for_showing
from grievances.references import normalize_reference
from grievances.workflow import ActionRefused, StaleCase, Status, check_action
from grievances.workspace import forms, selectors
from portal import registry
from portal.lib.forms import apply_service_errors
from portal.lib.params import positive_int
from portal.lib.uploads import private_file_response
from portal.models import Organization

SLIP_SESSION_KEY = "suara_workspace_slips"


def _staff(view):
    """Signed in, with a case-handling role in at least one agency; otherwise 404-free refusal."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not rules.case_memberships(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return never_cache(wrapped)


def _agency_or_404(request, slug: str) -> Organization:
    for membership in rules.case_memberships(request.user):
        if membership.organization.slug == slug:
            return membership.organization
    raise Http404


@_staff
def index(request):
    """The agencies whose queues this person works, with their role in each; with one agency, its queue."""
    memberships = rules.case_memberships(request.user)
    agencies = {membership.organization.slug for membership in memberships}
    if len(agencies) == 1 and not request.user.has_perm("wagtailadmin.access_admin"):
        # A list of one is a click in the way: the queue's breadcrumb links the rest of what the
        # list offers (intake, monitoring, the API pages); only the admin link would be lost.
        return redirect("workspace:queue", agency=agencies.pop())
    return render(request, "grievances/workspace/index.html", {"memberships": memberships})


# --- the queue --------------------------------------------------------------------


@_staff
def queue(request, agency: str):
    """One agency's queue: tabs with counts, filters, search, most urgent first, paged."""
    agency = _agency_or_404(request, agency)
    if (reference := normalize_reference(request.GET.get("q", "")[:200])) is not None:
        # A reference typed in the search box goes straight to its case, when
        # the read gate lets this person see it (from any of their agencies);
        # asked before anything else, so the look-up costs one query.
        if Grievance.objects.visible_to(request.user).filter(reference=reference).exists():
            return redirect("workspace:case", reference=reference)
    today = timezone.localdate()
    staff = list(forms.case_staff(agency.pk))
    form = forms.QueueFilterForm(request.GET or None, staff=staff)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    # The wings' tabs (e.g. the privacy wing's cases due for anonymisation), each shown only to whom it allows.
    wing_tabs = {wing_tab.name: wing_tab for wing_tab in registry.queue_tabs(request, agency)}
    tab = request.GET.get("tab", "open")
    if tab not in selectors.TAB_LABELS and tab not in wing_tabs:
        tab = "open"
    page_number = positive_int(request.GET.get("page"), default=1, maximum=selectors.MAX_PAGE)
    per_page = filters.get("per_page") or 25
    counts = selectors.tab_counts(request.user, agency, today)
    tabs = [(name, str(label), selectors.count_label(counts[name])) for name, label in selectors.TAB_LABELS.items()]
    tabs += [(name, wing_tab.label, selectors.count_label(wing_tab.count)) for name, wing_tab in wing_tabs.items()]
    page = wing_content = None
    if tab in wing_tabs:
        wing_content = wing_tabs[tab].content()
        tab_label = wing_tabs[tab].label
    else:
        page = selectors.queue_page(
            request.user, agency, tab=tab, filters=filters, page=page_number, per_page=per_page, today=today
        )
        tab_label = str(selectors.TAB_LABELS[tab])
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("tab", None)
    can_bulk_assign = rules.is_supervisor_of(request.user, agency.pk)
    return render(
        request,
        "grievances/workspace/queue.html",
        {
            "agency": agency,
            "form": form,
            "tab": tab,
            "tabs": tabs,
            "tab_label": tab_label,
            # Rendered apart, with the wing's own context: its template needs nothing of the queue's.
            "wing_html": render_to_string(*wing_content, request=request) if wing_content else None,
            "page": page,
            "query": query.urlencode(),
            "today": today,
            "staff": staff,
            "can_bulk_assign": can_bulk_assign,
            "memberships": rules.case_memberships(request.user),
        },
    )


@_staff
@require_POST
def bulk_assign(request, agency: str):
    """Assign the ticked rows; each row is checked (read gate, rules, version) on its own."""
    agency = _agency_or_404(request, agency)
    staff = forms.case_staff(agency.pk)
    form = forms.BulkAssignForm(request.POST, staff=staff)
    back = request.POST.get("next") or reverse("workspace:queue", kwargs={"agency": agency.slug})
    if not back.startswith("/workspace/"):
        back = reverse("workspace:queue", kwargs={"agency": agency.slug})
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    versions = dict(form.cleaned_data["cases"])
    cases = selectors.agency_cases(request.user, agency).select_related("category__parent").filter(pk__in=versions)
    items = [(case, versions[case.pk]) for case in cases]
    assigned, refused = services.grievances_bulk_assign(
        user=request.user, items=items, assignee=form.cleaned_data["assignee"]
    )
    if assigned:
        count = len(assigned)
        messages.success(
            request, ngettext("%(count)s case assigned.", "%(count)s cases assigned.", count) % {"count": count}
        )
    for case, reason in refused:
        # The colon and the order are the translator's: some languages put the reason first.
        messages.error(request, _("%(reference)s: %(reason)s") % {"reference": case.reference, "reason": reason})
    missing = len(versions) - len(items)
    if missing:
        messages.error(
            request,
            ngettext("%(count)s case could not be found.", "%(count)s cases could not be found.", missing)
            % {"count": missing},
        )
    return redirect(back)


# --- the case page ------------------------------------------------------------------

ACTION_FORMS = {
    "acknowledge": forms.EmptyActionForm,
    "start": forms.EmptyActionForm,
    "assign": forms.AssignForm,
    "note": forms.NoteForm,
    "message": forms.MessageForm,
    "request_information": forms.RequestInformationForm,
    "refer": forms.ReferForm,
    "accept_referral": forms.EmptyActionForm,
    "return_referral": forms.ReturnReferralForm,
    "resolve": forms.ResolveForm,
    "close": forms.CloseForm,
    "decide_appeal": forms.DecideAppealForm,
    "reopen": forms.ReopenForm,
    "mark_duplicate": forms.DuplicateForm,
}


def _case_or_404(request, reference: str) -> Grievance:
    grievance = case_selectors.case_for_staff(request.user, reference)
    if grievance is None:
        raise Http404
    return grievance


def _allowed_actions(user, grievance: Grievance) -> set[str]:
    names = {name for name in ACTION_FORMS if rules.can(user, name, grievance)}
    if "resolve" not in names and rules.can(user, "reject", grievance):
        names.add("resolve")
    return names


def _form_for(name: str, grievance: Grievance, user, data=None, *, lazy: dict):
    form_class = ACTION_FORMS[name]
    kwargs = {"grievance": grievance, "user": user}
    if name == "assign":
        kwargs["staff"] = lazy["staff"]()
    elif name == "refer":
        kwargs["agencies"] = lazy["agencies"]()
    return form_class(data, **kwargs)


def _case_context(request, grievance: Grievance, *, bound: dict | None = None) -> dict:
    user = request.user
    allowed = _allowed_actions(user, grievance)
    acting_agency = rules.acting_agency_id(grievance)
    lazy = {
        "staff": lambda: forms.case_staff(acting_agency, focal_only=grievance.category.is_sensitive),
        "agencies": lambda: (
            Organization.objects.filter(kind=Organization.Kind.GOVERNMENT)
            .exclude(pk=grievance.agency_id)
            .order_by("name")
        ),
    }
    action_forms = {}
    for name in sorted(allowed):
        if bound and name in bound:
            action_forms[name] = bound[name]
        else:
            action_forms[name] = _form_for(name, grievance, user, lazy=lazy)
    events = timeline.staff_timeline(grievance)
    return {
        "grievance": grievance,
        "events": events,
        "referrals": case_selectors.referrals(grievance),
        "duplicates": list(grievance.duplicates.only("reference")) if grievance.status != Status.CLOSED else [],
        "identity": rules.identity_for(user, grievance),
        "has_outcome_letter": letters.has_outcome(grievance),
        "forms": action_forms,
        "allowed": allowed,
        "actor": rules.actor_for(user, grievance),
        "read_only": not allowed,
        "sla_state": sla.state(grievance, timezone.localdate()),
        "can_read_access_log": rules.is_supervisor_of(user, grievance.agency_id),
        "sections": sections.staff_sections(request, grievance),
        "memberships": rules.case_memberships(user),
        "queue_agency": next(
            (m.organization for m in rules.case_memberships(user) if m.organization_id == acting_agency), None
        ),
    }


@_staff
def case(request, reference: str):
    """The staff case page: whole timeline, the complainant as far as this person may know them, actions now allowed."""
    grievance = _case_or_404(request, reference)
    services.grievance_record_access(grievance=grievance, user=request.user)
    return render(request, "grievances/workspace/case.html", _case_context(request, grievance))


def _call_service(name: str, grievance: Grievance, user, data: dict, request):
    version = data["version"]
    common = {"grievance": grievance, "user": user, "version": version}
    match name:
        case "acknowledge":
            return services.grievance_acknowledge(**common)
        case "start":
            return services.grievance_start(**common)
        case "assign":
            return services.grievance_assign(**common, assignee=data["assignee"])
        case "note":
            return services.grievance_add_note(**common, body=data["body"], language=data.get("language", ""))
        case "message":
            return services.grievance_message(**common, body=data["body"], language=data.get("language", ""))
        case "request_information":
            return services.grievance_request_information(
                **common, body=data["body"], language=data.get("language", "")
            )
        case "refer":
            return services.grievance_refer(**common, to_agency=data["to_agency"], reasons=data["reasons"])
        case "accept_referral":
            return services.grievance_accept_referral(**common)
        case "return_referral":
            return services.grievance_return_referral(**common, reasons=data["reasons"])
        case "resolve":
            return services.grievance_resolve(
                **common, decision=data["decision"], reasons=data["reasons"], remedy=data["remedy"]
            )
        case "close":
            return services.grievance_close(**common, reason=data["reason"])
        case "decide_appeal":
            return services.grievance_decide_appeal(**common, upheld=data["upheld"], reasons=data["reasons"])
        case "reopen":
            return services.grievance_reopen(**common, reason=data["reason"])
        case "mark_duplicate":
            original = Grievance.objects.visible_to(user).filter(reference=data["original"]).first()
            if original is None:
                raise ValidationError({"original": _("No case you can see has this reference.")})
            return services.grievance_mark_duplicate(**common, original=original)
    raise Http404  # pragma: no cover - the URL only routes known names


# Lazy: translated in the language of the request that shows them.
SUCCESS = {
    "acknowledge": gettext_lazy("The case is acknowledged."),
    "start": gettext_lazy("The case is now in progress."),
    "assign": gettext_lazy("The case is assigned."),
    "note": gettext_lazy("Your note has been added."),
    "message": gettext_lazy("Your message has been sent to the complainant."),
    "request_information": gettext_lazy("Your question has been sent. The deadline is paused until they answer."),
    "refer": gettext_lazy("The case has been referred. The other agency will accept or return it."),
    "accept_referral": gettext_lazy("The case is now in your agency's queue."),
    "return_referral": gettext_lazy("The case has been returned."),
    "resolve": gettext_lazy("The decision has been recorded and sent to the complainant."),
    "close": gettext_lazy("The case is closed."),
    "decide_appeal": gettext_lazy("The appeal decision has been recorded."),
    "reopen": gettext_lazy("The case is reopened."),
    "mark_duplicate": gettext_lazy("The case is closed as a duplicate; both cases link to each other."),
}


@_staff
@require_POST
def action(request, reference: str, name: str):
    """Take one action on a case; refused, stale or invalid submissions come back with the typed text kept."""
    if name not in ACTION_FORMS:
        raise Http404
    grievance = _case_or_404(request, reference)
    if name not in _allowed_actions(request.user, grievance):
        # Said before the form is read: the page no longer offers this action.
        messages.error(request, _refusal(request.user, name, grievance))
        return redirect("workspace:case", reference=grievance.reference)
    acting_agency = rules.acting_agency_id(grievance)
    lazy = {
        "staff": lambda: forms.case_staff(acting_agency, focal_only=grievance.category.is_sensitive),
        "agencies": lambda: Organization.objects.filter(kind=Organization.Kind.GOVERNMENT).exclude(
            pk=grievance.agency_id
        ),
    }
    form = _form_for(name, grievance, request.user, request.POST, lazy=lazy)
    status = 400
    if form.is_valid():
        try:
            _call_service(name, grievance, request.user, form.cleaned_data, request)
        except StaleCase as stale:
            # Never merged: the person reloads, reads what changed, and decides again.
            form.add_error(None, str(stale))
            status = 409
        except ActionRefused as refused:
            messages.error(request, str(refused))
            return redirect("workspace:case", reference=grievance.reference)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, SUCCESS[name])
            # Whoever referred a case keeps read-only sight, so the case page is always there.
            return redirect("workspace:case", reference=grievance.reference)
    grievance = _case_or_404(request, reference)
    context = _case_context(request, grievance, bound={name: form})
    context["stale"] = status == 409
    context["failed_action"] = name
    return render(request, "grievances/workspace/case.html", context, status=status)


def _refusal(user, name: str, grievance: Grievance) -> str:
    actor = rules.actor_for(user, grievance)
    if actor is not None:
        try:
            check_action(name, grievance.status, actor)
        except ActionRefused as refused:
            return str(refused)
    return _("You cannot do this on this case.")


@_staff
def access_log(request, reference: str):
    """Who opened this case and when: for the owning agency's supervisors."""
    grievance = _case_or_404(request, reference)
    if not rules.is_supervisor_of(request.user, grievance.agency_id):
        raise Http404
    accesses = CaseAccess.objects.filter(grievance=grievance).select_related("user")[:500]
    return render(request, "grievances/workspace/access_log.html", {"grievance": grievance, "accesses": accesses})


@_staff
def attachment(request, reference: str, attachment_id: int):
    """A file of the case, for staff who may see it; the download is recorded."""
    grievance = _case_or_404(request, reference)
    item = get_object_or_404(grievance.attachments, pk=attachment_id)
    services.grievance_record_access(grievance=grievance, user=request.user, what="attachment")
    return private_file_response(item.storage_name, display_name=item.display_name, content_type=item.content_type)


@never_cache
def outcome_letter(request, reference: str):
    """The case's outcome letter, the same bytes the complainant gets; the opening is recorded.

    Not behind ``_staff``: anyone the read gate does not let see the case,
    signed in or not, staff or not, gets the same 404.
    """
    grievance = _case_or_404(request, reference)
    letter = letters.outcome_letter_for(grievance)
    if letter is None:
        raise Http404
    services.grievance_record_access(grievance=grievance, user=request.user, what="outcome letter")
    return letters.letter_response(letter, grievance)


# --- assisted intake -------------------------------------------------------------------

INTAKE_LANGUAGE_SESSION_KEY = "suara_intake_language"


@_staff
@require_http_methods(["GET", "POST"])
def intake(request):
    """Record a grievance received by phone, in person or on paper, for someone."""
    # An officer on a Thai line records Thai cases one after another: their last choice is offered first.
    form = forms.IntakeForm(request.POST or None, language=request.session.get(INTAKE_LANGUAGE_SESSION_KEY, ""))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        request.session[INTAKE_LANGUAGE_SESSION_KEY] = data["language"]
        try:
            with transaction.atomic():
                lodged = services.grievance_lodge_assisted(
                    user=request.user,
                    channel=data["channel"],
                    category=data["category"],
                    description=data["description"],
                    contact_preference=data["contact_preference"],
                    confidentiality=data["confidentiality"],
                    anonymous=data["anonymous"],
                    contact_name=data["contact_name"],
                    contact_phone=data["contact_phone"],
                    contact_email=data["contact_email"],
                    occurred_on=data["occurred_on"],
                    programme=data["programme"],
                    region=data["region"],
                    sex_gender=data.get("sex_gender") or Grievance.SexGender.NOT_GIVEN,
                    language=data["language"],
                )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            pin_keep_for_showing(
                request.session, SLIP_SESSION_KEY, reference=lodged.grievance.reference, pin=lodged.pin
            )
            return redirect("workspace:slip", reference=lodged.grievance.reference)
    return render(
        request,
        "grievances/workspace/intake.html",
        {"form": form, "memberships": rules.case_memberships(request.user)},
        status=400 if form.errors else 200,
    )


@_staff
def slip(request, reference: str):
    """The printable slip with reference and PIN; the PIN shows once, to whoever recorded the case."""
    pin = pin_take_for_showing(request.session, SLIP_SESSION_KEY, reference=reference)
    # Through the read gate too: a recorder who has since lost the agency's role sees nothing.
    grievance = (
        Grievance.objects.visible_to(request.user)
        .filter(reference=reference, recorded_by=request.user)
        .select_related("agency")
        .first()
    )
    if grievance is None:
        raise Http404
    return render(request, "grievances/workspace/slip.html", {"grievance": grievance, "pin": pin})
