"""Forms of the workspace's API pages: they collect input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(label=_("What will use it"), max_length=100, help_text=_("For example “SMS gateway”."))
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text=_("Read and write lets the system message complainants, decide cases and lodge grievances."),
    )
    sensitive = forms.BooleanField(
        label=_("May see sensitive-category cases"),
        required=False,
        help_text=_("Only focal points for sensitive cases can give this."),
    )


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Address that receives the events"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Suara sends a signed POST for every case event; see the API documentation."),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    include_internal = forms.BooleanField(label=_("Include internal events (notes, assignments)"), required=False)
    sensitive = forms.BooleanField(
        label=_("Include sensitive-category cases"),
        required=False,
        help_text=_("Only focal points for sensitive cases can give this."),
    )
