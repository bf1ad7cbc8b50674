"""Forms of the themes and systemic-issue pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.insights.issues import TEXT_LIMIT, TITLE_LIMIT
from portal.models import Organization


def government_agencies() -> list:
    return list(Organization.objects.filter(kind=Organization.Kind.GOVERNMENT).order_by("name"))


class IssueFromThemeForm(forms.Form):
    theme = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label=_("Name of the systemic issue"), max_length=TITLE_LIMIT)
    summary = forms.CharField(
        label=_("What the problem is"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_LIMIT, required=False
    )
    owner = forms.TypedChoiceField(label=_("Owner agency"), coerce=int)

    def __init__(self, *args, agencies=None, **kwargs):
        """``agencies``: the government agencies, read once for a page that shows this form per theme."""
        super().__init__(*args, **kwargs)
        self.agencies = {agency.pk: agency for agency in (agencies if agencies is not None else government_agencies())}
        self.fields["owner"].choices = [(pk, agency.localized_name) for pk, agency in self.agencies.items()]

    def clean_owner(self):
        return self.agencies[self.cleaned_data["owner"]]


class IssueUpdateForm(forms.Form):
    consultation = forms.CharField(
        label=_("Consultation it was raised in (address or id)"), max_length=300, required=False
    )
    outcome = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_LIMIT, required=False
    )
    publish = forms.BooleanField(label=_("Publish on “You said, we did” and tell the complainants"), required=False)
