from django import forms
from django.utils.translation import gettext_lazy as _

from grievances.satisfaction.models import Answer
from grievances.satisfaction.services import COMMENT_MAX_LENGTH

FAIR_CHOICES = [("yes", _("Yes")), ("no", _("No"))]


class AnswerForm(forms.Form):
    resolved = forms.ChoiceField(
        label=_("Was your problem resolved?"),
        choices=Answer.Resolved.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please say whether your problem was resolved: yes, partly or no."),
            "invalid_choice": _("Please choose yes, partly or no."),
        },
    )
    fair = forms.ChoiceField(
        label=_("Were you treated fairly?"),
        choices=FAIR_CHOICES,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": _("Please choose yes or no.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to add? (you may leave this empty)"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
    )

    @classmethod
    def for_answer(cls, answer: Answer | None) -> "AnswerForm":
        if answer is None:
            return cls()
        fair = "" if answer.fair is None else ("yes" if answer.fair else "no")
        return cls(initial={"resolved": answer.resolved, "fair": fair, "comment": answer.comment})

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "resolved": data["resolved"],
            "fair": {"yes": True, "no": False}.get(data["fair"]),
            "comment": data["comment"],
        }
