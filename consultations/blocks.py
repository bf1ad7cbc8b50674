"""Question blocks for a consultation, and the plain `Question` the rest of the app reads.

Editors build a questionnaire from StreamField blocks. Everything else —
forms, statistics, exports, the PDF-free results page — works on
:class:`Question`, a frozen dataclass made from one block, so no other module
needs to know how Wagtail stores a StreamField. A question is identified by
its block's id, which Wagtail keeps stable when an editor reorders or
rewords questions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError

FREE_TEXT = "free_text"
SINGLE_CHOICE = "single_choice"
MULTIPLE_CHOICE = "multiple_choice"
SCALE = "scale"
YES_NO = "yes_no"

# Kinds whose answers are counted (choice tallies); free text is read, not counted.
COUNTED_KINDS = frozenset({SINGLE_CHOICE, MULTIPLE_CHOICE, SCALE, YES_NO})
SCALE_POINTS = ("1", "2", "3", "4", "5")
YES_NO_CHOICES = (("yes", _("Yes")), ("no", _("No")))

DEFAULT_TEXT_LIMIT = 3000
MAX_TEXT_LIMIT = 20000


class _QuestionBlock(blocks.StructBlock):
    question = blocks.CharBlock(max_length=300, label=_("Question"))
    help_text = blocks.TextBlock(required=False, max_length=600, label=_("Guidance for respondents"))
    required = blocks.BooleanBlock(required=False, default=False, label=_("An answer is required"))


class FreeTextQuestionBlock(_QuestionBlock):
    max_length = blocks.IntegerBlock(
        min_value=20, max_value=MAX_TEXT_LIMIT, default=DEFAULT_TEXT_LIMIT, label=_("Longest answer (characters)")
    )

    class Meta:
        icon = "pilcrow"
        label = _("Free text")


class OptionBlock(blocks.CharBlock):
    """One option's wording. A list's items show no label of their own, so the input carries its name itself."""

    def __init__(self, **kwargs):
        super().__init__(max_length=200, label=_("Option"), **kwargs)
        self.field.widget.attrs["aria-label"] = _("Option")


class _ChoiceQuestionBlock(_QuestionBlock):
    # Two empty options to start with: the question needs two, and one alone
    # would greet the editor with an error before they had typed anything.
    options = blocks.ListBlock(OptionBlock(), min_num=2, default=["", ""], label=_("Options"))

    def clean(self, value):
        result = super().clean(value)
        texts = [str(option).strip() for option in result["options"]]
        if len(set(texts)) != len(texts):
            # Options are counted by their wording; two identical ones would share a count.
            raise StructBlockValidationError({"options": ValidationError(_("Each option must be different."))})
        return result


class SingleChoiceQuestionBlock(_ChoiceQuestionBlock):
    class Meta:
        icon = "radio-full"
        label = _("Single choice")


class MultipleChoiceQuestionBlock(_ChoiceQuestionBlock):
    class Meta:
        icon = "tasks"
        label = _("Multiple choice")


class ScaleQuestionBlock(_QuestionBlock):
    low_label = blocks.CharBlock(max_length=60, default=_("Strongly disagree"), label=_("What 1 means"))
    high_label = blocks.CharBlock(max_length=60, default=_("Strongly agree"), label=_("What 5 means"))

    class Meta:
        icon = "list-ol"
        label = _("Scale 1–5")


class YesNoQuestionBlock(_QuestionBlock):
    comment_max_length = blocks.IntegerBlock(
        min_value=0, max_value=MAX_TEXT_LIMIT, default=1000, label=_("Longest comment (characters; 0 for none)")
    )

    class Meta:
        icon = "tick"
        label = _("Yes / no with comment")


class QuestionStreamBlock(blocks.StreamBlock):
    free_text = FreeTextQuestionBlock()
    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
    scale = ScaleQuestionBlock()
    yes_no = YesNoQuestionBlock()


@dataclass(frozen=True)
class Question:
    id: str
    kind: str
    text: str
    help_text: str = ""
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()  # (stored value, label); empty for free text
    max_length: int = 0  # free text or the yes/no comment; 0 = no comment
    low_label: str = ""
    high_label: str = ""

    @property
    def counted(self) -> bool:
        return self.kind in COUNTED_KINDS

    @property
    def field_name(self) -> str:
        return f"q_{self.id}"

    @property
    def comment_field_name(self) -> str:
        return f"q_{self.id}_comment"

    def option_label(self, value: str) -> str:
        return dict(self.options).get(value, value)


def question_from_block(block) -> Question:
    """A :class:`Question` from one bound block of the questions StreamField."""
    value = block.value
    common = {
        "id": str(block.id),
        "kind": block.block_type,
        "text": value["question"],
        "help_text": value.get("help_text") or "",
        "required": bool(value.get("required")),
    }
    if block.block_type == FREE_TEXT:
        return Question(**common, max_length=int(value.get("max_length") or DEFAULT_TEXT_LIMIT))
    if block.block_type in (SINGLE_CHOICE, MULTIPLE_CHOICE):
        options = tuple((str(option), str(option)) for option in value["options"])
        return Question(**common, options=options)
    if block.block_type == SCALE:
        low, high = value.get("low_label") or "", value.get("high_label") or ""
        labels = {"1": f"1 – {low}" if low else "1", "5": f"5 – {high}" if high else "5"}
        options = tuple((point, labels.get(point, point)) for point in SCALE_POINTS)
        return Question(**common, options=options, low_label=low, high_label=high)
    if block.block_type == YES_NO:
        options = tuple((key, str(label)) for key, label in YES_NO_CHOICES)
        return Question(**common, options=options, max_length=int(value.get("comment_max_length") or 0))
    raise ValueError(f"unknown question block {block.block_type!r}")


def questions_from_stream(stream) -> list[Question]:
    return [question_from_block(block) for block in stream]


def questions_in_words_of(questions: list[Question], translated: list[Question]) -> list[Question]:
    """``questions`` as a translation of the consultation words them.

    Answers are kept by the source's question ids and stored option values, so
    those stay; the question text, help, option labels and scale ends come from
    the translated question with the same id (a translation made by Wagtail
    keeps block ids), or failing that at the same place and of the same kind.
    """
    by_id = {question.id: question for question in translated}
    worded = []
    for index, question in enumerate(questions):
        words = by_id.get(question.id)
        if words is None and index < len(translated) and translated[index].kind == question.kind:
            words = translated[index]
        if words is None or words.kind != question.kind:
            worded.append(question)
            continue
        labels = [label for _value, label in words.options]
        options = tuple(
            (value, labels[position] if position < len(labels) else label)
            for position, (value, label) in enumerate(question.options)
        )
        worded.append(
            replace(
                question,
                text=words.text or question.text,
                help_text=words.help_text,
                options=options,
                low_label=words.low_label or question.low_label,
                high_label=words.high_label or question.high_label,
            )
        )
    return worded
