"""The complainant's forms. Plain Django forms: they work without JavaScript."""

from __future__ import annotations

import secrets

from django import forms
from django.conf import settings
from django.core import signing, validators
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from grievances.models import Category, Grievance, Programme, Region
from grievances.pins import PIN_LENGTH
from grievances.references import normalize_reference
from grievances.services import DESCRIPTION_MAX_LENGTH, MESSAGE_MAX_LENGTH
from portal.lib.localized import language_name
from portal.lib.text import clean_text
from portal.lib.uploads import AttachmentsField
from portal.models import Membership, User
from portal.rules import organizations_user_can_act_for


class TextField(forms.CharField):
    """Free text as people write it.

    NUL bytes (pasted by accident, unstorable) are dropped rather than the
    whole text refused, and an over-long text is refused with both numbers
    written out ("5,000"; "100,000"), so people know how much to cut.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, validators.MaxLengthValidator)]

    def validate(self, value):
        super().validate(value)
        if self.max_length is not None and len(value) > self.max_length:
            raise forms.ValidationError(
                _("Please keep this to %(limit)s characters; it has %(count)s."),
                code="max_length",
                params={"limit": f"{self.max_length:,}", "count": f"{len(value):,}"},
            )

    def to_python(self, value):
        if isinstance(value, str):
            value = clean_text(value, strip=False)
        return super().to_python(value)

    def widget_attrs(self, widget):
        # No maxlength in the HTML: a browser would silently cut a long paste.
        # The server refuses it instead, keeps the text, and says the limit.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


def _formatted_later(message: str, **numbers: int):
    """``message % numbers``, worked out when shown, in the reader's language and number format.

    ``%`` on a lazy string at import time would fix the text in English.
    """

    def text() -> str:
        return gettext(message) % {name: formats.number_format(n, force_grouping=True) for name, n in numbers.items()}

    return lazy(text, str)()


def _limit_help(limit: int):
    return _formatted_later(gettext_noop("Up to %(limit)s characters."), limit=limit)


class CategoryField(forms.ChoiceField):
    """Categories grouped by theme (optgroups), returning a Category."""

    def __init__(self, **kwargs):
        super().__init__(choices=self._choices, **kwargs)

    @staticmethod
    def _choices():
        groups: dict[str, list] = {}
        for category in Category.objects.filter(active=True, parent__isnull=False, parent__active=True).select_related(
            "parent"
        ):
            groups.setdefault(category.parent.localized_name, []).append((str(category.pk), category.localized_name))
        return [("", _("Choose one…")), *groups.items()]

    def validate(self, value):
        # Checked against the database in clean(); listing every choice here
        # would cost a query and a loop on each submission.
        if value in self.empty_values and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        value = super().clean(value)
        # One row by its key: no ordering to compile (first() would sort by the model's ordering).
        found = (
            Category.objects.select_related("parent__agency", "parent__sla_policy", "agency", "sla_policy")
            .filter(pk=value if str(value).isdigit() else None, active=True, parent__isnull=False, parent__active=True)
            .order_by()
        )
        category = next(iter(found), None)
        if category is None:
            raise forms.ValidationError(_("Please choose what your grievance is about."), code="invalid_choice")
        return category


SUBMISSION_SALT = "grievances.lodge.submission"


class LodgeForm(forms.Form):
    """One short form: what happened, and how (or whether) we may reach you."""

    FOR_MYSELF, FOR_MEMBER, FOR_GROUP = "self", "member", "group"

    category = CategoryField(label=_("What is it about?"))
    description = TextField(
        label=_("What happened?"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("In your own words: what went wrong, and what you would like to happen. Up to 5,000 characters."),
    )
    occurred_on = forms.DateField(
        label=_("When did it happen?"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Optional. An approximate date is fine."),
    )
    programme = forms.ModelChoiceField(
        label=_("Which programme or benefit?"),
        queryset=Programme.objects.all(),
        required=False,
        empty_label=_("I don't know / not listed"),
    )
    region = forms.ModelChoiceField(
        label=_("Where do you live?"), queryset=Region.objects.all(), required=False, empty_label=_("Prefer not to say")
    )
    sex_gender = forms.ChoiceField(
        label=_("Your sex or gender (optional)"),
        choices=Grievance.SexGender.choices,
        initial=Grievance.SexGender.NOT_GIVEN,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Only used, without your name, to count who raises grievances. It never changes how yours is handled."
        ),
    )
    contact_preference = forms.ChoiceField(
        label=_("How can the agency reach you?"),
        choices=[c for c in Grievance.Contact.choices],
        widget=forms.RadioSelect,
        initial=Grievance.Contact.PHONE,
    )
    contact_name = TextField(label=_("Your name"), max_length=150, required=False, help_text=_("Optional."))
    # Phone numbers, e-mail addresses, references and PINs are typed left to
    # right in every language, Urdu too (dir="ltr" on their inputs).
    contact_phone = forms.CharField(
        label=_("Phone number"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )
    contact_email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    anonymous = forms.BooleanField(
        label=_("Stay anonymous"),
        required=False,
        help_text=_(
            "We keep no name, phone, e-mail or address. Nobody can contact you, so check back with your "
            "reference and PIN. The agency may not be able to fix a problem with your own payment without "
            "knowing who you are."
        ),
    )
    confidentiality = forms.ChoiceField(
        label=_("Who may see who you are?"),
        choices=Grievance.Confidentiality.choices,
        widget=forms.RadioSelect,
        initial=Grievance.Confidentiality.STANDARD,
        help_text=_(
            "Confidential: only the officers designated for confidential cases see your name and contact details."
        ),
    )
    attachments = AttachmentsField(label=_("Documents or photos"))
    # A field people never see: naive bots fill every input.
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    # On behalf of others (shown only to representatives of an organization).
    lodge_for = forms.ChoiceField(
        label=_("Who is this grievance for?"),
        choices=[
            (FOR_MYSELF, _("Myself")),
            (FOR_MEMBER, _("A member of my organization")),
            (FOR_GROUP, _("A group of people (collective grievance)")),
        ],
        widget=forms.RadioSelect,
        initial=FOR_MYSELF,
        required=False,
    )
    organization = forms.ModelChoiceField(label=_("Lodged by"), queryset=None, required=False, empty_label=None)
    member_account = forms.ModelChoiceField(
        label=_("Member with a Suara account"),
        queryset=None,
        required=False,
        empty_label=_("Not listed / no account"),
        help_text=_("If chosen, the member can follow the grievance on their own page too."),
    )
    member_name = TextField(label=_("Member's name"), max_length=150, required=False)
    member_identity_withheld = forms.BooleanField(
        label=_("Keep the member's identity from the agency"),
        required=False,
        help_text=_("The agency deals with your organization; it does not see the member's name."),
    )
    people_affected = forms.IntegerField(
        label=_("How many people are affected?"), min_value=1, max_value=1_000_000, required=False, initial=1
    )
    consent = forms.BooleanField(
        label=_("The people concerned agreed that we lodge this for them"),
        required=False,
    )
    # A one-time key per page load: sending the same page twice lodges once.
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def clean_submission(self) -> str:
        # A key this site did not sign (an old page, a hand-made request) is no key: the
        # form still lodges, and nobody can pick a key that finds another person's case.
        try:
            return signing.loads(self.cleaned_data["submission"], salt=SUBMISSION_SALT)
        except signing.BadSignature:
            return ""

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["submission"].initial = signing.dumps(secrets.token_urlsafe(16), salt=SUBMISSION_SALT)
        signed_in = user is not None and user.is_authenticated
        if signed_in:
            self.fields["contact_preference"].initial = Grievance.Contact.ACCOUNT
            self.fields["contact_name"].initial = user.get_full_name() if user.display_name else ""
            self.fields["contact_email"].initial = user.email
        else:
            self.fields["contact_preference"].choices = [
                c for c in Grievance.Contact.choices if c[0] != Grievance.Contact.ACCOUNT
            ]
        if not settings.SMS_BACKEND:
            # No SMS gateway here: promising texts would leave someone who gave only a
            # phone number waiting for an acknowledgement that never comes.
            self.fields["contact_preference"].choices = [
                (value, _("By phone (a call; this service cannot send text messages)"))
                if value == Grievance.Contact.PHONE
                else (value, label)
                for value, label in self.fields["contact_preference"].choices
            ]
        organizations = organizations_user_can_act_for(user) if signed_in else None
        self.can_lodge_on_behalf = organizations is not None and organizations.exists()
        if self.can_lodge_on_behalf:
            self.fields["organization"].queryset = organizations
            self.fields["member_account"].queryset = (
                User.objects.filter(
                    memberships__organization__in=organizations,
                    memberships__active=True,
                    memberships__role=Membership.Role.MEMBER,
                )
                .distinct()
                .order_by("display_name", "email")
            )
        else:
            for name in (
                "lodge_for",
                "organization",
                "member_account",
                "member_name",
                "member_identity_withheld",
                "people_affected",
                "consent",
            ):
                del self.fields[name]
        self.fields["occurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(_("This field must be left empty."))
        return ""

    def clean_occurred_on(self):
        value = self.cleaned_data.get("occurred_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("anonymous"):
            return data
        preference = data.get("contact_preference")
        if preference == Grievance.Contact.PHONE and not data.get("contact_phone"):
            self.add_error("contact_phone", _("Please give a phone number, or choose another way to reach you."))
        if preference == Grievance.Contact.EMAIL and not data.get("contact_email"):
            self.add_error("contact_email", _("Please give an e-mail address, or choose another way to reach you."))
        if self.can_lodge_on_behalf and data.get("lodge_for") in (self.FOR_MEMBER, self.FOR_GROUP):
            if not data.get("consent"):
                self.add_error("consent", _("Please confirm that the people concerned agreed to this."))
            if (
                data.get("lodge_for") == self.FOR_MEMBER
                and not data.get("member_name")
                and not data.get("member_account")
                and not data.get("member_identity_withheld")
            ):
                self.add_error("member_name", _("Please give the member's name, or keep it from the agency."))
        return data

    @property
    def on_behalf(self) -> bool:
        return self.can_lodge_on_behalf and self.cleaned_data.get("lodge_for") in (self.FOR_MEMBER, self.FOR_GROUP)


class TrackForm(forms.Form):
    reference = forms.CharField(
        label=_("Reference"),
        max_length=20,
        help_text=_("For example SU-7K3Q-9PXM. Capital or small letters, with or without dashes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "dir": "ltr"}
        ),
    )
    pin = forms.CharField(
        label=_("PIN"),
        max_length=12,
        help_text=_formatted_later(gettext_noop("The %(n)s digits you were given with the reference."), n=PIN_LENGTH),
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "inputmode": "numeric", "dir": "ltr"}),
    )

    def clean_reference(self):
        # A malformed reference gets the same answer as a wrong PIN (see the view),
        # except for obvious typos, which we can point out without revealing anything.
        return normalize_reference(self.cleaned_data["reference"]) or ""


class MessageForm(forms.Form):
    body = TextField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_limit_help(MESSAGE_MAX_LENGTH),
    )
    attachments = AttachmentsField(label=_("Documents or photos"))


class InformationForm(MessageForm):
    body = TextField(
        label=_("Your answer"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_limit_help(MESSAGE_MAX_LENGTH),
    )


class AppealForm(forms.Form):
    reasons = TextField(
        label=_("Why do you disagree with the decision?"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_limit_help(MESSAGE_MAX_LENGTH),
    )


class WithdrawForm(forms.Form):
    reason = TextField(
        label=_("Why are you withdrawing it? (optional)"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label=_("Yes, withdraw my grievance. The agency will stop working on it."))


class LanguageForm(forms.Form):
    """The language the case speaks to its complainant in: notices, text messages, the outcome letter."""

    language = forms.ChoiceField(label=_("Language for your notices, text messages and letters"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language named in itself: whoever cannot read this page's language still finds theirs.
        self.fields["language"].choices = [
            (code, language_name(code, local=True)) for code, _name in settings.LANGUAGES
        ]
