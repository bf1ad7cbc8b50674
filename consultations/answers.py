"""What a valid set of answers is, independent of any form.

The response form checks answers field by field for the person typing; the
services check them again here, because they are the one writer and must not
trust whoever called them (a form, a test, a future API).

Stored shapes, by question kind (keys are question ids):

* free text: ``"the text"``
* single choice, scale: ``"the option"`` / ``"3"``
* multiple choice: ``["option", ...]``
* yes/no with comment: ``{"value": "yes" | "no" | "", "comment": "..."}``
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from consultations.blocks import FREE_TEXT, MULTIPLE_CHOICE, SCALE, SINGLE_CHOICE, YES_NO, Question
from portal.lib.text import clean_text


def _text(value) -> str:
    return clean_text(value) if isinstance(value, str) else ""


def _too_long(text: str, limit: int) -> str:
    return _("Keep this to %(limit)s characters or fewer; it has %(count)s.") % {"limit": limit, "count": len(text)}


def answers_clean(questions: Iterable[Question], raw: dict, *, require: bool) -> dict:
    """Known questions only, values checked; ``require`` enforces required questions (on submit).

    Raises ``ValidationError`` with a dict keyed by the question's form field name.
    """
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for question in questions:
        value = raw.get(question.id)
        options = {v for v, _label in question.options}
        if question.kind == FREE_TEXT:
            text = _text(value)
            if len(text) > question.max_length:
                errors[question.field_name] = [_too_long(text, question.max_length)]
            if text:
                cleaned[question.id] = text
        elif question.kind in (SINGLE_CHOICE, SCALE):
            choice = _text(value)
            if choice and choice not in options:
                errors[question.field_name] = [_("Choose one of the options shown.")]
            if choice:
                cleaned[question.id] = choice
        elif question.kind == MULTIPLE_CHOICE:
            chosen = [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
            if set(chosen) - options:
                errors[question.field_name] = [_("Choose among the options shown.")]
            # Keep the editor's order, so exports read the same for everyone.
            chosen = [v for v, _label in question.options if v in chosen]
            if chosen:
                cleaned[question.id] = chosen
        elif question.kind == YES_NO:
            value = value if isinstance(value, dict) else {}
            choice, comment = _text(value.get("value")), _text(value.get("comment"))
            if choice and choice not in options:
                errors[question.field_name] = [_("Answer yes or no.")]
            if comment and len(comment) > question.max_length:
                errors[question.comment_field_name] = [_too_long(comment, question.max_length)]
            if choice or comment:
                cleaned[question.id] = {"value": choice, "comment": comment}
        if require and question.required and not answer_given(question, cleaned.get(question.id)):
            errors.setdefault(question.field_name, []).append(_("This question needs an answer."))
    if errors:
        raise ValidationError(errors)
    return cleaned


def answer_given(question: Question, value) -> bool:
    if question.kind == YES_NO:
        return bool(value and value.get("value"))
    return bool(value)


def counted_choices(questions: Iterable[Question], answers: dict) -> Iterator[tuple[str, str]]:
    """(question id, choice) for every counted answer: what ``ResponseChoice`` rows hold."""
    for question in questions:
        value = answers.get(question.id)
        if not question.counted or not value:
            continue
        if question.kind == MULTIPLE_CHOICE:
            for choice in value:
                yield question.id, choice
        elif question.kind == YES_NO:
            if value.get("value"):
                yield question.id, value["value"]
        else:
            yield question.id, value


def answer_labels(question: Question, value) -> list[str]:
    """The chosen options of one answer in the reader's words (empty for free text and scales)."""
    if not value or not question.options or question.kind == SCALE:
        return []
    if question.kind == MULTIPLE_CHOICE:
        return [question.option_label(v) for v in value]
    if question.kind == YES_NO:
        return [question.option_label(value["value"])] if value.get("value") else []
    return [question.option_label(value)]


def answer_as_text(question: Question, value) -> str:
    """One answer as a line of text (exports, the responses list)."""
    if not value:
        return ""
    if question.kind == MULTIPLE_CHOICE:
        return "; ".join(question.option_label(v) for v in value)
    if question.kind == YES_NO:
        label = question.option_label(value.get("value", "")) if value.get("value") else ""
        comment = value.get("comment", "")
        return f"{label} — {comment}" if label and comment else label or comment
    if question.kind == SCALE:
        return value
    return question.option_label(value) if question.options else value
