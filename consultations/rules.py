"""Who may do what with a consultation, its responses and organizations' sections.

Plain predicates. Views ask them to decide what to show; services ask them
again when the change is written, so a form posted directly (or an old tab)
gets the same answer as the page that showed it. Every rule is tested as a
table of role × state in ``tests/consultations/test_rules.py``.
"""

from __future__ import annotations

from consultations.models import ConsultationPage, Response, ResponseAttachment, State
from consultations.models.admin_forms import CONSULTATION_OWNER_ROLES
from portal.models import Membership, Organization
from portal.rules import SPEAK_FOR_ROLES, can_act_for, has_role, organizations_user_can_act_for

# Who runs a consultation for its owning organization: publishes it, reads
# every response, exports, moderates.
# Approvers too: they open the consultation in the admin to approve it.
MANAGE_ROLES = CONSULTATION_OWNER_ROLES
# Who may key in a paper or e-mailed response: any of the owner's staff.
ENTER_ROLES = Membership.STAFF_ROLES
# Who writes and who publishes an organization's position statements.
SECTION_EDIT_ROLES = frozenset({Membership.Role.EDITOR, Membership.Role.APPROVER, Membership.Role.ADMIN})
SECTION_PUBLISH_ROLES = frozenset({Membership.Role.APPROVER, Membership.Role.ADMIN})


def _signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _superuser(user) -> bool:
    return _signed_in(user) and user.is_superuser


# --- the consultation ---------------------------------------------------------------


def can_manage_consultation(user, consultation: ConsultationPage) -> bool:
    """Read every response, export, moderate: the owner's administrators and editors."""
    return _superuser(user) or has_role(user, consultation.owner_organization, MANAGE_ROLES)


def can_enter_responses(user, consultation: ConsultationPage, state: State | None = None) -> bool:
    """Key in a paper or e-mailed response: owner staff, from opening until the outcome is out.

    Letters posted before the closing date arrive after it; once the outcome
    is published the count is final.
    """
    state = state or consultation.state
    if state not in (State.OPEN, State.CLOSED):
        return False
    return _superuser(user) or has_role(user, consultation.owner_organization, ENTER_ROLES)


def can_see_results(user, consultation: ConsultationPage, state: State | None = None) -> bool:
    """Everyone after closing; the owner's managers at any time (counts would sway late respondents)."""
    state = state or consultation.state
    return state in (State.CLOSED, State.OUTCOME) or can_manage_consultation(user, consultation)


def may_invite(consultation: ConsultationPage, organization: Organization) -> bool:
    if consultation.audience == ConsultationPage.Audience.PUBLIC:
        return True
    return organization.pk in invited_organization_ids(consultation)


def invited_organization_ids(consultation: ConsultationPage) -> set[int]:
    # Through .all(): a page being previewed holds its invitations in memory, not in the database.
    return {organization.pk for organization in consultation.invited_organizations.all()}


def can_respond(user, consultation: ConsultationPage, organization: Organization | None = None, state=None) -> bool:
    """May ``user`` respond now, as themselves (``organization=None``) or for ``organization``?

    For an organization the mandate is checked here, at the moment of asking,
    so a representative whose mandate ended cannot submit a form shown earlier.
    """
    state = state or consultation.state
    if not _signed_in(user) or state != State.OPEN:
        return False
    if organization is None:
        return consultation.audience == ConsultationPage.Audience.PUBLIC
    return can_act_for(user, organization) and may_invite(consultation, organization)


def capacities(user, consultation: ConsultationPage) -> list[Organization | None]:
    """The capacities ``user`` may answer in: ``None`` for themselves, then organizations."""
    if not _signed_in(user):
        return []
    result: list[Organization | None] = []
    if consultation.audience == ConsultationPage.Audience.PUBLIC:
        result.append(None)
    organizations = organizations_user_can_act_for(user).order_by("name")
    if consultation.audience == ConsultationPage.Audience.INVITED:
        organizations = organizations.filter(pk__in=invited_organization_ids(consultation))
    result.extend(organizations)
    return result


def can_edit_response(user, response: Response, state: State | None = None) -> bool:
    """Until closing: the person who wrote it, or any representative of its organization.

    Paper and e-mailed responses belong to the owner's staff who entered them.
    """
    consultation = response.consultation
    state = state or consultation.state
    if response.channel != Response.Channel.ONLINE:
        return can_enter_responses(user, consultation, state)
    if state != State.OPEN:
        return False
    if response.organization_id:
        return can_respond(user, consultation, response.organization, state)
    return can_respond(user, consultation, None, state) and response.respondent_id == user.pk


def can_read_response(user, response: Response) -> bool:
    """Published responses are public; otherwise only the author, its organization and the owner."""
    if response.is_published:
        return True
    if not _signed_in(user):
        return False
    if can_manage_consultation(user, response.consultation):
        return True
    if response.organization_id:
        return can_act_for(user, response.organization)
    return response.respondent_id == user.pk


def can_report_response(user, response: Response) -> bool:
    return _signed_in(user) and response.is_published


def can_moderate_responses(user, consultation: ConsultationPage) -> bool:
    return can_manage_consultation(user, consultation)


def can_export_responses(user, consultation: ConsultationPage) -> bool:
    return can_manage_consultation(user, consultation)


def can_analyse_answers(user, consultation: ConsultationPage) -> bool:
    """See the answers' themes (every submitted answer, even "do not publish") and code answers: the managers."""
    return can_manage_consultation(user, consultation)


def attachment_is_public(attachment: ResponseAttachment) -> bool:
    """A published, named response's attachments are public; an anonymous one's could name its author."""
    response = attachment.response
    return response.is_published and response.publication == Response.Publication.NAMED


def is_own_attachment(user, attachment: ResponseAttachment) -> bool:
    """Sent by this person, or by an organization they speak for."""
    response = attachment.response
    if not _signed_in(user):
        return False
    if response.organization_id:
        return can_act_for(user, response.organization)
    return response.respondent_id == user.pk


def can_download_attachment(user, attachment: ResponseAttachment) -> bool:
    """The public's when published with a name; otherwise its author's and the owner's."""
    if attachment_is_public(attachment):
        return True
    return is_own_attachment(user, attachment) or (
        _signed_in(user) and can_manage_consultation(user, attachment.response.consultation)
    )


# --- organizations' sections ----------------------------------------------------------


def can_edit_section(user, organization: Organization) -> bool:
    """Draft position statements in the organization's own section, and nowhere else."""
    return _superuser(user) or has_role(user, organization, SECTION_EDIT_ROLES)


def can_publish_section(user, organization: Organization) -> bool:
    """Approve and publish the organization's position statements."""
    return _superuser(user) or has_role(user, organization, SECTION_PUBLISH_ROLES)


__all__ = [
    "ENTER_ROLES",
    "MANAGE_ROLES",
    "SECTION_EDIT_ROLES",
    "SECTION_PUBLISH_ROLES",
    "SPEAK_FOR_ROLES",
    "attachment_is_public",
    "can_analyse_answers",
    "can_download_attachment",
    "can_edit_response",
    "can_edit_section",
    "can_enter_responses",
    "can_export_responses",
    "can_manage_consultation",
    "can_moderate_responses",
    "can_publish_section",
    "can_read_response",
    "can_report_response",
    "can_respond",
    "can_see_results",
    "capacities",
    "is_own_attachment",
]
