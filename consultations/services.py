"""Every change to a consultation's responses, follows, notices and sections goes through here.

Each function is keyword-only, checks permission with ``consultations.rules``
at the moment of writing, validates, writes in one transaction, and leaves
side effects (e-mail through the task backend) to ``transaction.on_commit``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import GroupApprovalTask, GroupPagePermission, Workflow, WorkflowPage, WorkflowTask

from consultations import reports, rules, tasks
from consultations.answers import answers_clean, counted_choices
from consultations.models import (
    CLOSING_SOON,
    ConsultationFollow,
    ConsultationIndexPage,
    ConsultationNotice,
    ConsultationPage,
    OrganizationIndexPage,
    OrganizationPage,
    OutcomeReport,
    Response,
    ResponseAttachment,
    ResponseChoice,
    ResponseReport,
    StakeholderGroup,
    State,
    owner_approvers_group_name,
)
from portal.lib.text import clean_text
from portal.lib.uploads import MAX_FILES, delete_private, save_private
from portal.models import Membership, Organization, User

REPORT_REASON_MAX = 1000
HIDE_REASON_MAX = 1000
NAME_MAX = 200


def _check_publication(publication: str | None, *, require: bool) -> str:
    if publication in Response.Publication.values:
        return publication
    if require or publication:
        raise ValidationError({"publication": [_("Say whether and how your response may be published.")]})
    # A draft without a choice yet is kept private until the person decides.
    return Response.Publication.NONE


def _write_answers(response: Response, questions, answers: dict) -> None:
    response.answers = answers
    response.save()
    # The tallies are an index of ``answers``: rewrite them whole, in the same transaction.
    ResponseChoice.objects.filter(response=response).delete()
    ResponseChoice.objects.bulk_create(
        ResponseChoice(response=response, question_id=question_id, choice=choice)
        for question_id, choice in counted_choices(questions, answers)
    )


def _store_attachments(response: Response, uploads: Sequence) -> None:
    if not uploads:
        return
    if response.attachments.count() + len(uploads) > MAX_FILES:
        too_many = ngettext(
            "A response may carry at most %(n)s file.", "A response may carry at most %(n)s files.", MAX_FILES
        )
        raise ValidationError({"attachments": [too_many % {"n": MAX_FILES}]})
    for upload in uploads:
        ResponseAttachment.objects.create(
            response=response,
            storage_name=save_private(upload, prefix="consultations"),
            display_name=upload.display_name[:200],
            content_type=upload.content_type,
            size=upload.size,
            sha256=upload.sha256,
        )


def _existing_response(consultation: ConsultationPage, user: User, organization: Organization | None):
    responses = Response.objects.select_for_update().filter(consultation=consultation)
    if organization is not None:
        return responses.filter(organization=organization).first()
    return responses.filter(respondent=user, organization__isnull=True).first()


def _response_write(
    *,
    user: User,
    consultation: ConsultationPage,
    organization: Organization | None,
    answers: dict,
    publication: str | None,
    attachments: Sequence,
    submit: bool,
) -> Response:
    if not rules.can_respond(user, consultation, organization):
        raise PermissionDenied(_("You cannot respond to this consultation in this capacity."))
    with transaction.atomic():
        response = _existing_response(consultation, user, organization)
        if response is not None and not rules.can_edit_response(user, response):
            raise PermissionDenied(_("This response can no longer be changed."))
        # Once submitted, a response stays submitted: saving it again is an edit.
        submit = submit or (response is not None and response.status == Response.Status.SUBMITTED)
        cleaned = answers_clean(consultation.question_list, answers, require=submit)
        publication = _check_publication(publication, require=submit)
        now = timezone.now()
        if response is None:
            response = Response(
                consultation=consultation,
                respondent=user,
                organization=organization,
                stakeholder_group=StakeholderGroup.for_organization(organization),
            )
        response.respondent_name = user.get_full_name()[:NAME_MAX]
        response.publication = publication
        if submit:
            first_submission = response.status != Response.Status.SUBMITTED
            response.status = Response.Status.SUBMITTED
            response.submitted_at = response.submitted_at or now
        else:
            first_submission = False
        try:
            with transaction.atomic():
                _write_answers(response, consultation.question_list, cleaned)
        except IntegrityError:
            # Another representative started the organization's response a moment ago.
            raise ValidationError(
                _("A response in this capacity was started elsewhere a moment ago; reload the page to continue it.")
            ) from None
        _store_attachments(response, attachments)
        if first_submission:
            transaction.on_commit(lambda: tasks.send_response_receipt.enqueue(response.pk))
    return response


def response_save_draft(
    *,
    user: User,
    consultation: ConsultationPage,
    organization: Organization | None = None,
    answers: dict,
    publication: str | None = None,
    attachments: Sequence = (),
) -> Response:
    """Keep a half-finished response to come back to; required questions may still be empty.

    Lengths and options are checked even on a draft: nothing is stored that
    could not be submitted later. Saving a response that was already
    submitted keeps it submitted (and so requires every required answer).
    """
    return _response_write(
        user=user,
        consultation=consultation,
        organization=organization,
        answers=answers,
        publication=publication,
        attachments=attachments,
        submit=False,
    )


def response_submit(
    *,
    user: User,
    consultation: ConsultationPage,
    organization: Organization | None = None,
    answers: dict,
    publication: str,
    attachments: Sequence = (),
) -> Response:
    """Submit (or re-submit an edited) response, as ``user`` or for ``organization``.

    The mandate to speak for ``organization`` is checked here, on every
    submission, not only when the form was shown. It can be edited until the
    consultation closes; the first submission e-mails a receipt.
    """
    return _response_write(
        user=user,
        consultation=consultation,
        organization=organization,
        answers=answers,
        publication=publication,
        attachments=attachments,
        submit=True,
    )


def response_enter_on_behalf(
    *,
    staff: User,
    consultation: ConsultationPage,
    respondent_name: str,
    organization: Organization | None,
    channel: str,
    answers: dict,
    publication: str,
    attachments: Sequence = (),
    response: Response | None = None,
) -> Response:
    """Key in a response that arrived on paper or by e-mail, marked as entered by ``staff``.

    Pass ``response`` to correct one entered earlier.
    """
    if not rules.can_enter_responses(staff, consultation):
        raise PermissionDenied(_("Only the owner's staff may enter responses, and only before the outcome."))
    if channel not in (Response.Channel.PAPER, Response.Channel.EMAIL):
        raise ValidationError({"channel": [_("Say whether the response came on paper or by e-mail.")]})
    name = clean_text(respondent_name)
    if not name:
        raise ValidationError({"respondent_name": [_("Give the name the response was sent under.")]})
    if len(name) > NAME_MAX:
        raise ValidationError({"respondent_name": [_too_long_name(name)]})
    with transaction.atomic():
        if response is not None:
            response = Response.objects.select_for_update().get(pk=response.pk, consultation=consultation)
            if response.channel == Response.Channel.ONLINE:
                raise PermissionDenied(_("Responses sent online are changed only by their authors."))
        cleaned = answers_clean(consultation.question_list, answers, require=True)
        publication = _check_publication(publication, require=True)
        response = response or Response(consultation=consultation, entered_by=staff)
        response.respondent_name = name
        response.organization = organization
        response.stakeholder_group = StakeholderGroup.for_organization(organization)
        response.channel = channel
        response.publication = publication
        response.status = Response.Status.SUBMITTED
        response.submitted_at = response.submitted_at or timezone.now()
        try:
            with transaction.atomic():
                _write_answers(response, consultation.question_list, cleaned)
        except IntegrityError:
            raise ValidationError(
                {"organization": [_("This organization has already responded; open its response instead.")]}
            ) from None
        _store_attachments(response, attachments)
    return response


def _too_long_name(name: str) -> str:
    return _("Keep this to %(limit)s characters or fewer; it has %(count)s.") % {"limit": NAME_MAX, "count": len(name)}


def response_report(*, user: User, response: Response, reason: str) -> ResponseReport:
    """Flag a published response for the owner's moderators, with what is wrong with it."""
    if not rules.can_report_response(user, response):
        raise PermissionDenied(_("Only published responses can be reported, by someone signed in."))
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": [_("Say what is wrong with this response.")]})
    if len(reason) > REPORT_REASON_MAX:
        raise ValidationError(
            {"reason": [_("Keep this to %(limit)s characters or fewer.") % {"limit": REPORT_REASON_MAX}]}
        )
    with transaction.atomic():
        return ResponseReport.objects.create(response=response, reported_by=user, reason=reason)


def response_hide(*, moderator: User, response: Response, reason: str) -> Response:
    """Take a published response off every public page and export, recording who did it and why.

    Open reports on it are resolved. The response still counts in the
    owner's own figures (``scope=all``): hiding is about publication.
    """
    if not rules.can_moderate_responses(moderator, response.consultation):
        raise PermissionDenied(_("Only the consultation's moderators may hide responses."))
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": [_("Give the reason; the author may ask for it.")]})
    if len(reason) > HIDE_REASON_MAX:
        raise ValidationError(
            {"reason": [_("Keep this to %(limit)s characters or fewer.") % {"limit": HIDE_REASON_MAX}]}
        )
    with transaction.atomic():
        response = Response.objects.select_for_update().get(pk=response.pk)
        now = timezone.now()
        response.hidden_at, response.hidden_by, response.hidden_reason = now, moderator, reason
        response.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
        response.reports.filter(resolved_at__isnull=True).update(resolved_at=now)
    return response


def response_unhide(*, moderator: User, response: Response) -> Response:
    """Put a hidden response back (the moderator changed their mind); the reason is kept for the record."""
    if not rules.can_moderate_responses(moderator, response.consultation):
        raise PermissionDenied(_("Only the consultation's moderators may show responses again."))
    with transaction.atomic():
        Response.objects.filter(pk=response.pk).update(hidden_at=None, updated_at=timezone.now())
    response.refresh_from_db()
    return response


def consultation_follow(*, user: User, consultation: ConsultationPage) -> ConsultationFollow:
    """Be e-mailed when the consultation opens, a week before it closes and when the outcome is out."""
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Sign in to follow a consultation."))
    with transaction.atomic():
        follow, _created = ConsultationFollow.objects.get_or_create(user=user, consultation=consultation)
    return follow


def consultation_unfollow(*, user: User, consultation: ConsultationPage) -> None:
    """Stop the e-mails about this consultation."""
    with transaction.atomic():
        ConsultationFollow.objects.filter(user=user, consultation=consultation).delete()


def consultation_close_now(*, user: User, consultation: ConsultationPage) -> ConsultationPage:
    """End an open consultation at once, instead of editing its closing date by hand.

    The live page closes now; a draft with other unpublished edits keeps
    them as a draft (with the new closing time), so closing never publishes
    someone's half-finished changes.
    """
    if not rules.can_manage_consultation(user, consultation):
        raise PermissionDenied(_("Only the consultation's owners may close it."))
    with transaction.atomic():
        page = ConsultationPage.objects.select_for_update().get(pk=consultation.pk)
        if page.state != State.OPEN:
            raise ValidationError(_("Only an open consultation can be closed."))
        now = timezone.now()
        had_draft = page.has_unpublished_changes
        draft = page.get_latest_revision_as_object()
        draft.closes_at = now
        revision = draft.save_revision(user=user, log_action=True)
        if had_draft:
            ConsultationPage.objects.filter(pk=page.pk).update(closes_at=now)
        else:
            # The owner's right was checked above by our own rule; Wagtail's page permissions may
            # belong to an approver alone, and closing is not a change of content to approve.
            revision.publish(user=user, skip_permission_checks=True)
    return ConsultationPage.objects.get(pk=consultation.pk)


def _notices_due(consultation: ConsultationPage, now: datetime.datetime) -> list[str]:
    state = consultation.state_at(now)
    due = []
    if state == State.OPEN:
        due.append(ConsultationNotice.Kind.OPENED)
        if now >= consultation.closes_at - CLOSING_SOON:
            due.append(ConsultationNotice.Kind.CLOSING)
    if state == State.OUTCOME:
        due.append(ConsultationNotice.Kind.OUTCOME)
    return due


def consultation_notices_schedule(
    *, now: datetime.datetime | None = None, consultation: ConsultationPage | None = None
) -> list[ConsultationNotice]:
    """Queue the notices that are due, each at most once, for one consultation or all live ones.

    Run it every few minutes (``manage.py consultation_notices``); publishing
    an outcome runs it for that page at once. A notice that is no longer
    relevant when first seen (the consultation already closed) is not sent
    late, except the outcome, which is news whenever it comes.
    """
    now = now or timezone.now()
    # Notices belong to the consultation itself, never to one of its translations.
    pages = [consultation.source] if consultation is not None else ConsultationPage.objects.live().sources().specific()
    created: list[ConsultationNotice] = []
    with transaction.atomic():
        for page in pages:
            for kind in _notices_due(page, now):
                notice, was_created = ConsultationNotice.objects.get_or_create(consultation=page, kind=kind)
                if was_created:
                    created.append(notice)
    for notice in created:
        transaction.on_commit(lambda pk=notice.pk: tasks.send_consultation_notice.enqueue(pk))
    return created


def outcome_report_request(*, consultation: ConsultationPage, force: bool = False) -> OutcomeReport | None:
    """Ask the task worker for the outcome report of the consultation as it is now (None without an outcome).

    The bookkeeping is ``reports.outcome_report_schedule``'s; this hands it
    the render task to queue, which the report module cannot import.
    """
    return reports.outcome_report_schedule(
        consultation=consultation, force=force, enqueue=tasks.render_outcome_report.enqueue
    )


# --- organizations' sections ------------------------------------------------------

EDITOR_PERMISSIONS = ("add", "change")
APPROVER_PERMISSIONS = ("add", "change", "publish")


def _section_groups(organization: Organization) -> tuple[Group, Group]:
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    groups = []
    for suffix in ("editors", "approvers"):
        group, _created = Group.objects.get_or_create(name=f"section:{organization.slug}:{suffix}"[:150])
        group.permissions.add(access_admin)
        groups.append(group)
    return groups[0], groups[1]


def organization_section_ensure(*, organization: Organization, index_page: OrganizationIndexPage) -> OrganizationPage:
    """The organization's section page, its editor and approver groups, and its moderation workflow.

    Editors may add and change pages in the section only and must submit
    them for moderation; approvers (the organization's administrators)
    publish. Idempotent: running it again changes nothing.
    """
    with transaction.atomic():
        # The section as first made; its translations (same organization, other locales) follow it.
        section = OrganizationPage.objects.filter(organization=organization).order_by("pk").first()
        if section is None:
            section = index_page.add_child(
                instance=OrganizationPage(title=organization.name, slug=organization.slug, organization=organization)
            )
        editors, approvers = _section_groups(organization)
        for group, permission_types in ((editors, EDITOR_PERMISSIONS), (approvers, APPROVER_PERMISSIONS)):
            for permission_type in permission_types:
                if not GroupPagePermission.objects.filter(
                    group=group, page=section, permission__codename=f"{permission_type}_page"
                ).exists():
                    GroupPagePermission.objects.create(group=group, page=section, permission_type=permission_type)
        # Editors read the workflow's name on their button ("Submit to …"): the organization's name, not its slug.
        workflow_name = _("approval by %(organization)s") % {"organization": organization.name}
        current = WorkflowPage.objects.filter(page=section).select_related("workflow").first()
        workflow = current.workflow if current is not None else None
        if workflow is None:
            workflow = Workflow.objects.create(name=workflow_name[:255])
            task = GroupApprovalTask.objects.create(name=workflow_name[:255])
            task.groups.set([approvers])
            # Not workflow.workflow_tasks.create(): on a cluster model that stays in memory.
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        elif workflow.name != workflow_name[:255]:
            workflow.name = workflow_name[:255]
            workflow.save(update_fields=["name"])
        WorkflowPage.objects.update_or_create(page=section, defaults={"workflow": workflow})
        organization_section_sync_members(organization=organization)
    return section


def organization_section_sync_members(*, organization: Organization) -> None:
    """Make the section's groups hold exactly the organization's active editors and approvers.

    The Wagtail hooks check the live membership on every admin request as
    well, so a mandate that ends takes effect at once even before this runs.
    """
    editors, approvers = _section_groups(organization)
    active = Membership.objects.active().filter(organization=organization)
    for group, roles in ((editors, rules.SECTION_EDIT_ROLES), (approvers, rules.SECTION_PUBLISH_ROLES)):
        wanted = set(active.filter(role__in=list(roles)).values_list("user_id", flat=True))
        current = set(group.user_set.values_list("pk", flat=True))
        if wanted - current:
            group.user_set.add(*(wanted - current))
        if current - wanted:
            group.user_set.remove(*(current - wanted))


def organization_memberships_follow(*, organization: Organization) -> None:
    """Called in the transaction that changed ``organization``'s memberships (``portal.memberships``).

    The section's editors and approvers, and the consultation owners and
    approvers, follow the memberships at once.
    """
    if OrganizationPage.objects.filter(organization=organization).exists():
        organization_section_sync_members(organization=organization)
    consultation_owners_sync()


OWNER_GROUP = "Consultation owners"
OWNER_APPROVER_GROUP = "Consultation approvers"


def consultation_owners_sync() -> None:
    """Government bodies' editors write consultations, their approvers approve and publish them.

    The consultation index gets its own workflow (approval by the owners'
    approvers) instead of Wagtail's default one, whose moderators group
    nobody fills. The hooks in ``wagtail_hooks`` keep each owner to their
    own consultations.
    """
    index = ConsultationIndexPage.objects.first()
    if index is None:
        return
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    government = Membership.objects.active().filter(organization__kind=Organization.Kind.GOVERNMENT)
    for name, roles, permission_types in (
        (OWNER_GROUP, rules.MANAGE_ROLES | {Membership.Role.APPROVER}, EDITOR_PERMISSIONS),
        (OWNER_APPROVER_GROUP, rules.SECTION_PUBLISH_ROLES, APPROVER_PERMISSIONS),
    ):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)
        for permission_type in permission_types:
            if not GroupPagePermission.objects.filter(
                group=group, page=index, permission__codename=f"{permission_type}_page"
            ).exists():
                GroupPagePermission.objects.create(group=group, page=index, permission_type=permission_type)
        wanted = set(government.filter(role__in=list(roles)).values_list("user_id", flat=True))
        current = set(group.user_set.values_list("pk", flat=True))
        if wanted - current:
            group.user_set.add(*(wanted - current))
        if current - wanted:
            group.user_set.remove(*(current - wanted))
    for organization in Organization.objects.filter(kind=Organization.Kind.GOVERNMENT):
        _owner_workflow_ensure(organization, government.filter(organization=organization))
    if not WorkflowPage.objects.filter(page=index).exists():
        name = _("approval of consultations")
        workflow = Workflow.objects.create(name=name)
        task = GroupApprovalTask.objects.create(name=name)
        task.groups.set([Group.objects.get(name=OWNER_APPROVER_GROUP)])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        WorkflowPage.objects.create(page=index, workflow=workflow)


def _owner_workflow_ensure(organization: Organization, memberships) -> None:
    """One government body's approvers and their own workflow (``ConsultationPage.get_workflow`` finds it).

    The shared "Consultation approvers" group keeps the page permissions; this
    group only decides who is asked to approve, is e-mailed, and sees the
    draft in "awaiting your review": the owner's approvers alone.
    """
    group, _created = Group.objects.get_or_create(name=owner_approvers_group_name(organization))
    wanted = set(memberships.filter(role__in=list(rules.SECTION_PUBLISH_ROLES)).values_list("user_id", flat=True))
    current = set(group.user_set.values_list("pk", flat=True))
    if wanted - current:
        group.user_set.add(*(wanted - current))
    if current - wanted:
        group.user_set.remove(*(current - wanted))
    name = (_("approval of consultations by %(organization)s") % {"organization": organization.name})[:255]
    task = GroupApprovalTask.objects.filter(groups=group).order_by("pk").first()
    if task is None:
        workflow = Workflow.objects.create(name=name)
        task = GroupApprovalTask.objects.create(name=name)
        task.groups.set([group])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    else:
        Workflow.objects.filter(workflow_tasks__task=task).exclude(name=name).update(name=name)


@transaction.atomic
def response_withdraw(*, user: User, response: Response) -> None:
    """The respondent takes their response back before closing: deleted with its counted answers and files."""
    response = Response.objects.select_for_update().select_related("consultation").get(pk=response.pk)
    if not rules.can_edit_response(user, response):
        raise PermissionDenied(_("This response can no longer be withdrawn."))
    files = list(response.attachments.values_list("storage_name", flat=True))
    response.delete()  # its counted answers, files' rows and reports go with it (CASCADE)
    transaction.on_commit(lambda: [delete_private(name) for name in files])
