"""The writers of API configuration: tokens and webhooks.

Case changes made through the API go through ``grievances.services`` like
any other; these functions only create and revoke the credentials and
receivers, each with its permission check.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grievances.api import rules
from grievances.api.models import ApiToken, Webhook, token_hash
from grievances.api.webhooks import SECRET_SEAL_PURPOSE, check_webhook_url, webhooks_changed
from portal.lib.sealed import seal
from portal.lib.text import clean_text
from portal.models import Membership, Organization, User

TOKEN_PREFIX = "suara"
# Addresses under .invalid can never receive mail (RFC 2606): the service
# accounts exist to act, never to sign in or be written to.
AGENT_EMAIL_DOMAIN = "api-tokens.suara.invalid"


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # shown once, never stored in clear


@dataclass(frozen=True)
class RegisteredWebhook:
    webhook: Webhook
    secret: str  # shown once; kept sealed to sign deliveries


def _check_manager(user, organization: Organization) -> None:
    if organization.kind != Organization.Kind.GOVERNMENT or not rules.can_manage_integrations(user, organization):
        raise PermissionDenied(_("Only the agency's supervisors and administrators manage its API access."))


@transaction.atomic
def api_token_create(
    *, organization: Organization, user, name: str, scope: str, sensitive: bool = False
) -> IssuedToken:
    """Issue a token for ``organization``, acting through a new service account.

    The account holds a case-officer membership (a focal point when the token
    may see sensitive cases), so the read gate, the rules and the services
    treat the token exactly as they would treat an officer of the agency.
    """
    _check_manager(user, organization)
    name = clean_text(name)
    if not name:
        raise ValidationError({"name": _("Please say what will use this token.")})
    if scope not in ApiToken.Scope.values:
        raise ValidationError({"scope": _("Please choose a scope.")})
    if sensitive and not rules.can_grant_sensitive(user, organization):
        raise ValidationError(
            {"sensitive": _("Only a focal point for sensitive cases can give a token sight of them.")}
        )
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    agent = User.objects.create_user(
        email=f"token-{prefix}@{AGENT_EMAIL_DOMAIN}", password=None, display_name=f"API · {name}"[:150]
    )
    Membership.objects.create(
        user=agent, organization=organization, role=Membership.Role.CASE_OFFICER, focal_point=sensitive
    )
    token = ApiToken.objects.create(
        organization=organization,
        name=name[:100],
        prefix=prefix,
        secret_hash=token_hash(secret),
        scope=scope,
        sensitive=sensitive,
        agent=agent,
        created_by=user,
    )
    return IssuedToken(token=token, secret=secret)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, user) -> ApiToken:
    """Revoke at once: the token stops authenticating and its account loses the agency's gate."""
    _check_manager(user, token.organization)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = user
        token.save(update_fields=["revoked_at", "revoked_by"])
        Membership.objects.filter(user_id=token.agent_id).update(active=False)
        User.objects.filter(pk=token.agent_id).update(is_active=False)
    return token


@transaction.atomic
def webhook_create(
    *,
    organization: Organization,
    user,
    url: str,
    description: str = "",
    include_internal: bool = False,
    sensitive: bool = False,
) -> RegisteredWebhook:
    """Register a receiver; its signing secret is returned once."""
    _check_manager(user, organization)
    url = check_webhook_url(url)
    if sensitive and not rules.can_grant_sensitive(user, organization):
        raise ValidationError(
            {"sensitive": _("Only a focal point for sensitive cases can send their events to a system.")}
        )
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    webhook = Webhook.objects.create(
        organization=organization,
        url=url,
        description=clean_text(description)[:200],
        secret_sealed=seal(secret, purpose=SECRET_SEAL_PURPOSE),
        include_internal=include_internal,
        sensitive=sensitive,
        created_by=user,
    )
    return RegisteredWebhook(webhook=webhook, secret=secret)


@transaction.atomic
def webhook_deactivate(*, webhook: Webhook, user) -> Webhook:
    """Stop sending to a receiver; pending deliveries give up at their next attempt.

    A webhook that carries sensitive cases is switched off only by a focal point.
    """
    _check_manager(user, webhook.organization)
    if not rules.can_manage_webhook(user, webhook):
        raise PermissionDenied(_("Only a focal point for sensitive cases manages this webhook."))
    Webhook.objects.filter(pk=webhook.pk).update(active=False)
    webhooks_changed()  # an update() sends no post_save: the receivers are read again all the same
    webhook.active = False
    return webhook
