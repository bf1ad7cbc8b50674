"""The one writer of memberships: give and remove roles, invite people, accept invitations.

Every change is checked against ``portal.rules`` when it is written, is
recorded as a ``MembershipEvent`` and brings the Wagtail side along in the
same transaction: the organization's files group and collection here, and
whatever the apps attach to ``registry.MEMBERSHIPS_CHANGED`` (section
editors and approvers, consultation owners). ``manage.py
sync_organization_sections`` stays for repairs.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Collection, GroupCollectionPermission

from portal import registry, rules
from portal.files import FILES_GROUP_PREFIX
from portal.models import Membership, MembershipEvent, MembershipInvitation, Organization, User

INVITATION_SALT = "suara.membership-invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600
# People who may use the admin at all because of an organization role.
ADMIN_ACCESS_GROUP = "Organization staff"
FILE_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)


def _check_role(role: str) -> None:
    if role not in rules.GRANTABLE_ROLES:
        raise ValidationError({"role": [_("Choose one of the roles an organization gives.")]})


def _record(organization, actor, action, role, email) -> MembershipEvent:
    return MembershipEvent.objects.create(
        organization=organization, actor=actor, action=action, role=role, subject_email=email
    )


def membership_saved_by_staff(*, actor: User, membership: Membership) -> None:
    """The portal's staff edited a membership in the admin's own forms: record it and let the groups follow."""
    action = MembershipEvent.Action.GRANTED if membership.active else MembershipEvent.Action.REVOKED
    with transaction.atomic():
        _record(membership.organization, actor, action, membership.role, membership.user.email)
        _changed(membership.organization)


def memberships_follow(*, organization: Organization) -> None:
    """Bring every Wagtail group, collection and permission of ``organization`` in line with its memberships.

    Idempotent; the writers above call it themselves, and the demo and the
    repair command (``sync_organization_sections``) call it directly.
    """
    _changed(organization)


def _changed(organization: Organization) -> None:
    organization_files_sync(organization=organization)
    admin_access_sync()
    registry.memberships_changed(organization)


def membership_grant(*, actor: User | None, organization: Organization, user: User, role: str) -> Membership:
    """Give ``user`` ``role`` in ``organization`` (or make an ended one active again).

    ``actor=None`` is the system itself (the demo, a migration); otherwise
    only the organization's administrators (or a superuser) may.
    """
    if actor is not None and not rules.can_manage_people(actor, organization):
        raise PermissionDenied(_("Only the organization's administrators may give roles."))
    if actor is not None:
        _check_role(role)
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(user=user, organization=organization, role=role)
        if created or not membership.active:
            membership.active = True
            membership.save(update_fields=["active"])
            _record(organization, actor, MembershipEvent.Action.GRANTED, role, user.email)
        _changed(organization)
    return membership


def membership_revoke(*, actor: User | None, membership: Membership) -> Membership:
    """End a role. The last administrator cannot remove themselves: the organization would be orphaned."""
    organization = membership.organization
    if actor is not None and not rules.can_manage_people(actor, organization):
        raise PermissionDenied(_("Only the organization's administrators may remove roles."))
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if not membership.active:
            return membership
        if (
            membership.role == Membership.Role.ADMIN
            and not (actor is not None and actor.is_superuser)
            and not Membership.objects.active()
            .filter(organization=organization, role=Membership.Role.ADMIN)
            .exclude(pk=membership.pk)
            .exists()
        ):
            raise ValidationError(_("An organization keeps at least one administrator; name another one first."))
        membership.active = False
        membership.save(update_fields=["active"])
        _record(organization, actor, MembershipEvent.Action.REVOKED, membership.role, membership.user.email)
        _changed(organization)
    return membership


def invitation_token(invitation: MembershipInvitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def membership_invite(
    *, actor: User, organization: Organization, email: str, role: str, base_url: str
) -> MembershipInvitation:
    """Offer ``role`` to whoever owns ``email``; they accept from the link in the e-mail after signing in."""
    if not rules.can_manage_people(actor, organization):
        raise PermissionDenied(_("Only the organization's administrators may invite people."))
    _check_role(role)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address.")]}) from None
    with transaction.atomic():
        invitation = MembershipInvitation.objects.create(
            organization=organization, email=email, role=role, invited_by=actor
        )
        _record(organization, actor, MembershipEvent.Action.INVITED, role, email)
    link = base_url.rstrip("/") + reverse("invitation_accept", args=[invitation_token(invitation)])
    context = {"invitation": invitation, "link": link, "inviter": actor.get_full_name()}
    subject = _("You are invited to %(organization)s on Suara") % {"organization": organization.name}
    body = render_to_string("portal/email/invitation.txt", context)
    transaction.on_commit(lambda: send_mail(subject, body, None, [email]))
    return invitation


def invitation_from_token(token: str) -> MembershipInvitation:
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        raise ValidationError(_("This invitation link is not valid or has expired; ask for a new one.")) from None
    invitation = MembershipInvitation.objects.select_related("organization").filter(pk=pk).first()
    if invitation is None:
        raise ValidationError(_("This invitation was withdrawn."))
    return invitation


def invitation_accept(*, user: User, invitation: MembershipInvitation) -> Membership:
    """The invited person takes the role, signed in with the address it was sent to."""
    if not (user.is_authenticated and user.is_active) or user.email.lower() != invitation.email.lower():
        raise PermissionDenied(_("Sign in with the address this invitation was sent to."))
    with transaction.atomic():
        invitation = MembershipInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation has already been used."))
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        _record(invitation.organization, user, MembershipEvent.Action.ACCEPTED, invitation.role, user.email)
        membership = membership_grant(actor=None, organization=invitation.organization, user=user, role=invitation.role)
    return membership


# --- the Wagtail side that belongs to people, not to an app ------------------------------


def _access_admin() -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")


def admin_access_sync() -> None:
    """Everyone with an active publishing or administering role may open the admin; nobody else by this route."""
    group, _created = Group.objects.get_or_create(name=ADMIN_ACCESS_GROUP)
    group.permissions.add(_access_admin())
    wanted = set(
        Membership.objects.active().filter(role__in=list(rules.ADMIN_ACCESS_ROLES)).values_list("user_id", flat=True)
    )
    current = set(group.user_set.values_list("pk", flat=True))
    if wanted - current:
        group.user_set.add(*(wanted - current))
    if current - wanted:
        group.user_set.remove(*(current - wanted))


def organization_collection(organization: Organization) -> Collection:
    """The organization's own folder of images and documents, made on first need."""
    group = _files_group(organization)
    permission = GroupCollectionPermission.objects.filter(group=group).select_related("collection").first()
    if permission is not None:
        return permission.collection
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    return root.add_child(name=organization.name[:255])


def _files_group(organization: Organization) -> Group:
    group, _created = Group.objects.get_or_create(name=f"{FILES_GROUP_PREFIX}{organization.slug}"[:150])
    return group


def organization_files_sync(*, organization: Organization) -> Collection:
    """The organization's collection, and a group of its publishing people who may upload to it and choose from it."""
    group = _files_group(organization)
    collection = organization_collection(organization)
    group.permissions.add(_access_admin())
    for app_label, codename in FILE_PERMISSIONS:
        permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
        GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)
    wanted = set(
        Membership.objects.active()
        .filter(organization=organization, role__in=list(rules.FILE_ROLES))
        .values_list("user_id", flat=True)
    )
    current = set(group.user_set.values_list("pk", flat=True))
    if wanted - current:
        group.user_set.add(*(wanted - current))
    if current - wanted:
        group.user_set.remove(*(current - wanted))
    return collection
