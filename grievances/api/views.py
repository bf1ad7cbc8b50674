"""The workspace's API pages: an agency's tokens and webhooks, for its supervisors and administrators.

A secret is shown once, in the response to the form that made it, and never
again (only its hash, or its seal, is kept). Everyone else gets a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from grievances import rules as case_rules
from grievances.api import rules, services
from grievances.api.forms import TokenForm, WebhookForm
from grievances.api.models import ApiToken, Webhook
from portal.lib.forms import apply_service_errors
from portal.models import Organization

DELIVERY_LOG_LENGTH = 100


def _manager(view):
    @login_required
    def wrapped(request, agency: str, *args, **kwargs):
        organization = next(
            (m.organization for m in case_rules.case_memberships(request.user) if m.organization.slug == agency),
            None,
        )
        if organization is None or not rules.can_manage_integrations(request.user, organization):
            raise Http404
        return view(request, organization, *args, **kwargs)

    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return never_cache(wrapped)


def _page(request, agency: Organization, *, token_form=None, webhook_form=None, status=200, **extra):
    context = {
        "agency": agency,
        "tokens": ApiToken.objects.filter(organization=agency).select_related("created_by", "revoked_by"),
        "webhooks": Webhook.objects.filter(organization=agency),
        "token_form": token_form or TokenForm(),
        "webhook_form": webhook_form or WebhookForm(),
        "can_grant_sensitive": rules.can_grant_sensitive(request.user, agency),
        "memberships": case_rules.case_memberships(request.user),
        **extra,
    }
    return render(request, "grievances/api/integrations.html", context, status=status)


def _webhook_or_404(request, agency: Organization, pk: int) -> Webhook:
    webhook = get_object_or_404(Webhook.objects.select_related("organization"), pk=pk, organization=agency)
    # A sensitive webhook's log names sensitive cases: not there for whoever may not open them.
    if not rules.can_manage_webhook(request.user, webhook):
        raise Http404
    return webhook


@_manager
def integrations(request, agency: Organization):
    """The agency's API tokens and webhooks, with forms to add them."""
    return _page(request, agency)


@_manager
@require_POST
def token_create(request, agency: Organization):
    """Issue a token; the page that answers shows its secret this once."""
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            issued = services.api_token_create(organization=agency, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _page(request, agency, new_token=issued)
    return _page(request, agency, token_form=form, status=400)


@_manager
@require_POST
def token_revoke(request, agency: Organization, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, organization=agency)
    services.api_token_revoke(token=token, user=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("workspace_api:integrations", agency=agency.slug)


@_manager
@require_POST
def webhook_create(request, agency: Organization):
    """Register a receiver; the page that answers shows its signing secret this once."""
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            registered = services.webhook_create(organization=agency, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return _page(request, agency, new_webhook=registered)
    return _page(request, agency, webhook_form=form, status=400)


@_manager
def webhook_detail(request, agency: Organization, pk: int):
    """The delivery log of one webhook: most recent first."""
    webhook = _webhook_or_404(request, agency, pk)
    deliveries = webhook.deliveries.select_related("event__grievance")[:DELIVERY_LOG_LENGTH]
    return render(
        request,
        "grievances/api/webhook.html",
        {
            "agency": agency,
            "webhook": webhook,
            "deliveries": deliveries,
            "memberships": case_rules.case_memberships(request.user),
        },
    )


@_manager
@require_POST
def webhook_deactivate(request, agency: Organization, pk: int):
    webhook = _webhook_or_404(request, agency, pk)
    services.webhook_deactivate(webhook=webhook, user=request.user)
    messages.success(request, _("The webhook is switched off."))
    return redirect("workspace_api:integrations", agency=agency.slug)
