"""The field-visit form: the same questions as assisted intake, rendered once online and filled offline."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.models import Category, Grievance, Programme, Region
from portal.lib.uploads import AttachmentsField
from portal.rules import organizations_user_can_act_for

TEXT_LIMIT = 10_000


class DraftForm(forms.Form):
    """One case recorded on a field visit.

    Rendered into the offline page (so its labels are cached in the person's
    language) and bound again at sync to what the device sends; the service
    decides the rest (routing, consent, contact rules).
    """

    category = forms.ModelChoiceField(label=_("What is it about?"), queryset=Category.objects.none())
    description = forms.CharField(
        label=_("What happened (in the person's words)"), widget=forms.Textarea, max_length=TEXT_LIMIT
    )
    occurred_on = forms.DateField(
        label=_("When it happened"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    programme = forms.ModelChoiceField(label=_("Programme"), required=False, queryset=Programme.objects.all())
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=Region.objects.all())
    sex_gender = forms.ChoiceField(
        label=_("The person's sex or gender (optional: ask, never guess)"),
        choices=Grievance.SexGender.choices,
        initial=Grievance.SexGender.NOT_GIVEN,
        required=False,
        widget=forms.RadioSelect,
    )
    on_behalf_of = forms.ModelChoiceField(
        label=_("On behalf of a member of"),
        required=False,
        queryset=Category.objects.none(),  # replaced per person in __init__
        empty_label=_("No: I record it for the person"),
    )
    member_name = forms.CharField(label=_("The member's name"), required=False, max_length=150)
    consent = forms.BooleanField(label=_("The people concerned agreed to this being lodged for them"), required=False)
    anonymous = forms.BooleanField(label=_("The person wants to stay anonymous"), required=False)
    contact_name = forms.CharField(label=_("Name"), required=False, max_length=150)
    contact_phone = forms.CharField(
        label=_("Phone"), required=False, max_length=32, help_text=_("The reference and PIN are sent here by SMS.")
    )
    contact_email = forms.EmailField(label=_("E-mail"), required=False)
    contact_preference = forms.ChoiceField(
        label=_("How should the agency contact them?"),
        choices=[
            (Grievance.Contact.PHONE, Grievance.Contact.PHONE.label),
            (Grievance.Contact.EMAIL, Grievance.Contact.EMAIL.label),
            (Grievance.Contact.NONE, Grievance.Contact.NONE.label),
        ],
        initial=Grievance.Contact.NONE,
    )
    confidentiality = forms.ChoiceField(
        label=_("Identity"),
        choices=Grievance.Confidentiality.choices,
        widget=forms.RadioSelect,
        initial=Grievance.Confidentiality.STANDARD,
    )
    attachments = AttachmentsField(label=_("Photos of documents"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = (
            Category.objects.filter(active=True, parent__isnull=False, parent__active=True)
            .select_related("parent")
            .order_by("parent__position", "position", "name")
        )
        # Asked again at sync: a mandate that ended since the visit no longer lets the case in.
        self.fields["on_behalf_of"].queryset = organizations_user_can_act_for(user).order_by("name")
