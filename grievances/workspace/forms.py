"""Forms of the agency workspace. Each action form carries the case's ``version``.

They only collect and clean input; the services decide and write.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from grievances.models import CASE_ROLES, Category, Grievance, Programme, Region
from grievances.references import normalize_reference
from grievances.sla import SLAState
from grievances.workflow import Status
from portal.lib.forms import SensibleDateField
from portal.lib.localized import language_name
from portal.models import Organization, User

TEXT_LIMIT = 5000


class QueueFilterForm(forms.Form):
    """The queue's filters: a GET form, every field optional and labelled."""

    q = forms.CharField(label=_("Reference or words"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any"))] + Status.choices, widget=forms.Select
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.none(), empty_label=_("Any"), widget=forms.Select
    )
    sla = forms.ChoiceField(
        label=_("Deadline"), required=False, choices=[("", _("Any"))] + SLAState.choices, widget=forms.Select
    )
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False, widget=forms.Select(attrs={"dir": "auto"}))
    region = forms.ModelChoiceField(
        label=_("Region"), required=False, queryset=Region.objects.all(), empty_label=_("Any"), widget=forms.Select
    )
    channel = forms.ChoiceField(
        label=_("Received by"),
        required=False,
        choices=[("", _("Any"))] + Grievance.Channel.choices,
        widget=forms.Select,
    )
    lodged_from = SensibleDateField(label=_("Received from"), required=False)
    lodged_to = SensibleDateField(label=_("Received until"), required=False)
    per_page = forms.TypedChoiceField(
        label=_("Rows per page"),
        required=False,
        coerce=int,
        choices=[(25, "25"), (50, "50"), (100, "100")],
        empty_value=25,
        widget=forms.Select,
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.template_name = "grievances/includes/filter_field.html"
        self.fields["category"].queryset = Category.objects.filter(parent__isnull=False).select_related("parent")
        self.fields["assignee"].choices = [("", _("Anyone")), ("none", _("Nobody yet"))] + [
            (str(person.pk), person.get_full_name()) for person in staff
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("lodged_from"), data.get("lodged_to")
        if start and end and start > end:
            self.add_error("lodged_to", _("This date is before the first one."))
        return data


class CaseActionForm(forms.Form):
    """Every action form carries the version of the case it was made from."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, grievance: Grievance, user, **kwargs):
        kwargs.setdefault("initial", {})["version"] = grievance.version
        # Each form on the case page gets its own field ids.
        kwargs.setdefault("prefix", self.prefix_name)
        super().__init__(*args, **kwargs)
        self.grievance, self.user = grievance, user

    prefix_name = "action"


class EmptyActionForm(CaseActionForm):
    prefix_name = "simple"


class WrittenInForm(CaseActionForm):
    """A text form that asks which language the text is in: the case's, unless the officer says otherwise.

    Pages mark the text with it (``lang``), so that a screen reader reads a
    Thai reply with a Thai voice whatever language the page is shown in.
    """

    language = forms.ChoiceField(label=_("Written in"), required=False)
    field_order = ["body", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        field.choices = [
            (code, f"{language_name(code, local=True)} ({language_name(code)})") for code, _name in settings.LANGUAGES
        ]
        field.initial = self.written_in_default()

    def written_in_default(self) -> str:
        return self.grievance.language


class NoteForm(WrittenInForm):
    prefix_name = "note"
    body = forms.CharField(
        label=_("Internal note (staff only)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_LIMIT
    )

    def written_in_default(self) -> str:
        # Colleagues read notes: the officer writes them in their own language.
        return translation.get_language() or self.grievance.language


class MessageForm(WrittenInForm):
    prefix_name = "message"
    body = forms.CharField(
        label=_("Message to the complainant"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_LIMIT
    )


class RequestInformationForm(WrittenInForm):
    prefix_name = "request"
    body = forms.CharField(
        label=_("Question for the complainant"),
        help_text=_("The deadline pauses until they answer."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=TEXT_LIMIT,
    )


def case_staff(agency_id: int, *, focal_only: bool = False):
    """People who may handle the agency's cases (focal points only, for sensitive ones)."""
    condition = Q(memberships__organization_id=agency_id, memberships__role__in=CASE_ROLES, memberships__active=True)
    if focal_only:
        condition &= Q(memberships__focal_point=True)
    # An API token's service account holds an officer membership but is nobody to assign work to.
    people = User.objects.filter(condition, is_active=True, api_token__isnull=True)
    return people.distinct().order_by("display_name", "email")


def _choices_once(field: forms.ModelChoiceField, label) -> None:
    """Read the field's choices into a list now, with one plain query.

    A ModelChoiceField reads its queryset through ``iterator()`` each time it
    renders: on PostgreSQL a server-side cursor, three round trips. The
    submitted value is still checked against the queryset.
    """
    field.choices = [("", field.empty_label)] + [(item.pk, label(item)) for item in field.queryset]


class AssignForm(CaseActionForm):
    prefix_name = "assign"
    # People's names may be in any script: dir="auto" keeps one from reordering the others.
    assignee = forms.ModelChoiceField(
        label=_("Assign to"), queryset=User.objects.none(), widget=forms.Select(attrs={"dir": "auto"})
    )

    def __init__(self, *args, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        field.queryset = staff if staff is not None else User.objects.none()
        _choices_once(field, lambda person: person.get_full_name())


class ReferForm(CaseActionForm):
    prefix_name = "refer"
    to_agency = forms.ModelChoiceField(label=_("Refer to"), queryset=Organization.objects.none(), widget=forms.Select)
    reasons = forms.CharField(
        label=_("Why this agency should handle it"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_LIMIT
    )

    def __init__(self, *args, agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["to_agency"]
        field.queryset = agencies if agencies is not None else Organization.objects.none()
        _choices_once(field, str)


class ReturnReferralForm(CaseActionForm):
    prefix_name = "return"
    reasons = forms.CharField(
        label=_("Why you are returning it"), widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_LIMIT
    )


class ResolveForm(CaseActionForm):
    prefix_name = "resolve"
    decision = forms.ChoiceField(label=_("Decision"), choices=Grievance.Decision.choices, widget=forms.RadioSelect)
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    remedy = forms.CharField(
        label=_("What will be done (remedy)"),
        required=False,
        help_text=_("Needed when the grievance is upheld, fully or in part."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
    )


class CloseForm(CaseActionForm):
    prefix_name = "close"
    reason = forms.CharField(label=_("Note for the complainant (optional)"), required=False, max_length=TEXT_LIMIT)


class DecideAppealForm(CaseActionForm):
    prefix_name = "appeal"
    upheld = forms.TypedChoiceField(
        label=_("Appeal decision"),
        coerce=lambda value: value == "1",
        choices=[("1", _("Upheld: the first decision changes")), ("0", _("Dismissed: the first decision stands"))],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(label=_("Reasons"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)


class ReopenForm(CaseActionForm):
    prefix_name = "reopen"
    reason = forms.CharField(label=_("Why reopen it"), widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_LIMIT)


class DuplicateForm(CaseActionForm):
    prefix_name = "duplicate"
    original = forms.CharField(label=_("Reference of the case it duplicates"), max_length=20)

    def clean_original(self):
        reference = normalize_reference(self.cleaned_data["original"])
        if reference is None:
            raise forms.ValidationError(_("This is not a grievance reference (it looks like SU-2345-6789)."))
        return reference


class BulkAssignForm(forms.Form):
    """Rows are sent as ``<case id>:<version>`` so every row keeps its stale check."""

    assignee = forms.ModelChoiceField(
        label=_("Assign the chosen cases to"), queryset=User.objects.none(), widget=forms.Select(attrs={"dir": "auto"})
    )
    cases = forms.MultipleChoiceField(label=_("Cases"), choices=(), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff
        self.fields["assignee"].label_from_instance = lambda person: person.get_full_name()

    def clean_cases(self):
        pairs = []
        for value in self.data.getlist("cases"):
            try:
                case_id, version = (int(part) for part in value.split(":", 1))
            except ValueError:
                raise forms.ValidationError(_("Please choose cases from the list.")) from None
            pairs.append((case_id, version))
        if not pairs:
            raise forms.ValidationError(_("Please choose at least one case."))
        return pairs

    def full_clean(self):
        # The rows are checked against the read gate in the view, not a choice list.
        self.fields["cases"].choices = [(v, v) for v in self.data.getlist("cases")]
        super().full_clean()


class IntakeForm(forms.Form):
    """A grievance recorded by staff for someone who phoned, came in or wrote on paper."""

    channel = forms.ChoiceField(
        label=_("How was it received?"),
        choices=[
            (Grievance.Channel.PHONE, Grievance.Channel.PHONE.label),
            (Grievance.Channel.IN_PERSON, Grievance.Channel.IN_PERSON.label),
            (Grievance.Channel.PAPER, Grievance.Channel.PAPER.label),
        ],
        widget=forms.RadioSelect,
    )
    # The officer's interface language is not the person's: asked, never assumed.
    language = forms.ChoiceField(
        label=_("The person's language"),
        required=False,
        help_text=_("Their acknowledgement, text messages, notices and outcome letter will be in this language."),
    )
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
    )
    confidentiality = forms.ChoiceField(
        label=_("Identity"),
        choices=Grievance.Confidentiality.choices,
        widget=forms.RadioSelect,
        initial=Grievance.Confidentiality.STANDARD,
    )

    def clean_language(self) -> str:
        # Left out (an older form, a script): the choice the form offered first.
        return self.cleaned_data.get("language") or self.fields["language"].initial

    def __init__(self, *args, language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Each language named in itself, so the person can point at theirs.
        self.fields["language"].choices = [
            (code, f"{language_name(code, local=True)} ({language_name(code)})") for code, _name in settings.LANGUAGES
        ]
        self.fields["language"].initial = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        self.fields["category"].queryset = (
            Category.objects.filter(active=True, parent__isnull=False)
            .select_related("parent")
            .order_by("parent__position", "position", "name")
        )
