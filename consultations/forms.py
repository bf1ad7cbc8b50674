"""Forms for responding, entering paper responses and moderating.

The response form is built from the consultation's questions. It checks what
a person can fix while typing; ``consultations.answers`` and the services
check everything again on write.
"""

from __future__ import annotations

from django import forms
from django.core.validators import MaxLengthValidator
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from consultations.blocks import FREE_TEXT, MULTIPLE_CHOICE, YES_NO, Question
from consultations.models import Response
from portal.lib.uploads import AttachmentsField
from portal.models import Organization

TOO_LONG = _("Keep this to %(limit_value)s characters or fewer; it has %(show_value)s.")


class LimitedTextField(forms.CharField):
    """Text with a limit that is enforced on the server and said in the hint.

    No ``maxlength`` attribute: browsers silently cut pasted text at the
    limit, and people lose the end of what they wrote without knowing.
    Line breaks count as one character, as people count them.
    """

    def __init__(self, *, limit: int, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6}))
        super().__init__(**kwargs)
        self.limit = limit
        self.validators.append(MaxLengthValidator(limit, message=TOO_LONG))

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n") if isinstance(value, str) else value


def _limit_hint(limit: int) -> str:
    return str(_("Up to %(limit)s characters.") % {"limit": limit})


def _help(question: Question, extra: str = "") -> str:
    # Django's field template prints help text unescaped ("|safe"); the
    # guidance is an editor's plain text, so it is escaped here.
    return escape(" ".join(str(part) for part in (question.help_text, extra) if part))


def _question_fields(question: Question, required: bool) -> dict[str, forms.Field]:
    label = question.text
    if question.kind == FREE_TEXT:
        return {
            question.field_name: LimitedTextField(
                label=label,
                required=required,
                limit=question.max_length,
                help_text=_help(question, _limit_hint(question.max_length)),
            )
        }
    if question.kind == MULTIPLE_CHOICE:
        return {
            question.field_name: forms.MultipleChoiceField(
                label=label,
                required=required,
                choices=question.options,
                widget=forms.CheckboxSelectMultiple,
                help_text=_help(question, str(_("Choose all that apply."))),
            )
        }
    fields: dict[str, forms.Field] = {
        question.field_name: forms.ChoiceField(
            label=label,
            required=required,
            choices=question.options,
            widget=forms.RadioSelect,
            help_text=_help(question),
        )
    }
    if question.kind == YES_NO and question.max_length:
        fields[question.comment_field_name] = LimitedTextField(
            label=_("Comment (optional)"),
            required=False,
            limit=question.max_length,
            help_text=_limit_hint(question.max_length),
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    return fields


def initial_from_answers(questions: list[Question], answers: dict) -> dict:
    initial = {}
    for question in questions:
        value = answers.get(question.id)
        if value is None:
            continue
        if question.kind == YES_NO:
            initial[question.field_name] = value.get("value", "")
            initial[question.comment_field_name] = value.get("comment", "")
        else:
            initial[question.field_name] = value
    return initial


class ResponseForm(forms.Form):
    """A response to one consultation. ``submitting`` turns on the required questions.

    A draft may leave questions empty but never exceed a limit: a draft that
    could not be submitted later would only disappoint.
    """

    publication = forms.ChoiceField(
        label=_("May we publish your response?"),
        choices=Response.Publication.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("You can change this until the consultation closes."),
    )

    def __init__(self, *args, questions: list[Question], submitting: bool = False, with_attachments=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.submitting = submitting
        publication = self.fields.pop("publication")
        for question in questions:
            self.fields.update(_question_fields(question, required=submitting and question.required))
        publication.required = submitting
        self.fields["publication"] = publication
        if with_attachments:
            # The shared field says the allowed types and sizes in its own help text.
            self.fields["attachments"] = AttachmentsField(label=_("Attach files (optional), e.g. a position paper"))

    def answers(self) -> dict:
        """The cleaned answers in the stored shape (see ``consultations.answers``)."""
        data = self.cleaned_data
        answers: dict = {}
        for question in self.questions:
            value = data.get(question.field_name)
            if question.kind == YES_NO:
                answers[question.id] = {"value": value or "", "comment": data.get(question.comment_field_name) or ""}
            elif value:
                answers[question.id] = value
        return answers

    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the summary at the top of the page, in the form's order."""
        items = []
        for message in self.non_field_errors():
            items.append(("", message))
        for name, field in self.fields.items():
            bound = self[name]
            for message in bound.errors:
                anchor = bound.auto_id
                if bound.field.widget.use_fieldset:
                    # Radios and checkboxes: send focus to the first option.
                    anchor = f"{anchor}_0"
                items.append((anchor, f"{field.label}: {message}"))
        return items


class StaffEntryForm(ResponseForm):
    """A paper or e-mailed response keyed in by the owner's staff; always complete."""

    respondent_name = forms.CharField(
        label=_("Name the response was sent under"),
        max_length=200,
        help_text=_("The person's name, or for an organization, the person who signed."),
    )
    organization = forms.ModelChoiceField(
        label=_("On behalf of an organization (optional)"),
        queryset=Organization.objects.order_by("name"),
        required=False,
        empty_label=_("No: as an individual"),
    )
    channel = forms.ChoiceField(
        label=_("How it arrived"),
        choices=[(Response.Channel.PAPER, _("On paper")), (Response.Channel.EMAIL, _("By e-mail"))],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        kwargs["submitting"] = True
        super().__init__(*args, **kwargs)
        # Who and how first, then the answers, as on the paper form.
        order = ["respondent_name", "organization", "channel"]
        self.order_fields(order + [name for name in self.fields if name not in order])


class ReasonForm(forms.Form):
    reason = LimitedTextField(label=_("Reason"), limit=1000, help_text=_limit_hint(1000))


class CodeForm(forms.Form):
    """A new code for the answers of a consultation (the services check the name again)."""

    name = forms.CharField(label=_("Name of the code"), max_length=100)
    description = forms.CharField(
        label=_("What it means (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
