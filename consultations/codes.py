"""The only writers of the analysts' codes (``Code``) and of which answers carry them (``AnswerCode``).

Keyword-only, ``code_<action>`` / ``answers_<action>``; each checks
``rules.can_analyse_answers`` when it writes, so a form posted from an old tab
or by someone who lost their role gets the same answer as the page. An answer
is a response's free-text question: only submitted responses of the code's
consultation, and only its free-text questions, can be tagged.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consultations import rules
from consultations.blocks import FREE_TEXT
from consultations.models import AnswerCode, Code, ConsultationPage, Response
from portal.lib.text import clean_text

NAME_MAX = 100
DESCRIPTION_MAX = 1000


def _check(user, consultation: ConsultationPage) -> None:
    if not rules.can_analyse_answers(user, consultation):
        raise PermissionDenied(_("You cannot code the answers of this consultation."))


def _clean_name(consultation: ConsultationPage, name: str, *, exclude: int | None = None) -> str:
    name = clean_text(name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the code a name.")]})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": [_("Keep the name to %(limit)s characters or fewer.") % {"limit": NAME_MAX}]})
    taken = Code.objects.filter(consultation=consultation, name__iexact=name).exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": [_("This consultation already has a code with that name.")]})
    return name


def _clean_description(description: str) -> str:
    description = clean_text(description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            {"description": [_("Keep the description to %(limit)s characters or fewer.") % {"limit": DESCRIPTION_MAX}]}
        )
    return description


def _free_text_question(consultation: ConsultationPage, question_id: str) -> str:
    question = consultation.question_by_id(question_id)
    if question is None or question.kind != FREE_TEXT:
        raise ValidationError({"question": [_("Choose one of the consultation's free-text questions.")]})
    return question.id


def code_create(*, user, consultation: ConsultationPage, name: str, description: str = "") -> Code:
    """A new code of the consultation; names are unique per consultation whatever their case."""
    _check(user, consultation)
    with transaction.atomic():
        return Code.objects.create(
            consultation=consultation,
            name=_clean_name(consultation, name),
            description=_clean_description(description),
            created_by=user,
            updated_by=user,
        )


def code_rename(*, user, code: Code, name: str, description: str | None = None) -> Code:
    """A new name (and, when given, description) for a code; its tags stay."""
    _check(user, code.consultation)
    code.name = _clean_name(code.consultation, name, exclude=code.pk)
    if description is not None:
        code.description = _clean_description(description)
    code.updated_by = user
    code.save(update_fields=["name", "description", "updated_by", "updated_at"])
    return code


def code_merge(*, user, source: Code, target: Code) -> int:
    """Move every tag of ``source`` to ``target`` (an answer tagged with both keeps one), then delete ``source``.

    Returns the number of tags moved. The moved tags keep who tagged them and when.
    """
    _check(user, source.consultation)
    if source.consultation_id != target.consultation_id:
        raise ValidationError({"target": [_("Choose a code of the same consultation.")]})
    if source.pk == target.pk:
        raise ValidationError({"target": [_("Choose another code to merge into.")]})
    with transaction.atomic():
        already = AnswerCode.objects.filter(code=target).values_list("response_id", "question_id")
        tags = AnswerCode.objects.filter(code=source).select_for_update()
        taken = set(already)
        duplicates = [tag.pk for tag in tags if (tag.response_id, tag.question_id) in taken]
        AnswerCode.objects.filter(pk__in=duplicates).delete()
        moved = AnswerCode.objects.filter(code=source).update(code=target)
        target.updated_by = user
        target.save(update_fields=["updated_by", "updated_at"])
        source.delete()
    return moved


def code_delete(*, user, code: Code) -> None:
    """Delete a code and its tags (the answers stay)."""
    _check(user, code.consultation)
    code.delete()


def _answers(consultation: ConsultationPage, question_id: str, response_ids: Iterable[int]) -> list[int]:
    """Those of ``response_ids`` that are submitted responses of the consultation answering the question."""
    ids = {int(pk) for pk in response_ids}
    rows = Response.objects.submitted().filter(consultation=consultation, pk__in=ids).values_list("pk", "answers")
    return sorted(pk for pk, answers in rows if (answers or {}).get(question_id))


def answers_tag(*, user, code: Code, question_id: str, response_ids: Iterable[int]) -> int:
    """Tag the answers to ``question_id`` of these responses with ``code`` (one, or a whole theme).

    Responses of another consultation, drafts and empty answers are skipped;
    an answer already tagged stays as it was. Returns the number newly tagged.
    """
    consultation = code.consultation
    _check(user, consultation)
    question_id = _free_text_question(consultation, question_id)
    ids = _answers(consultation, question_id, response_ids)
    if not ids:
        return 0
    with transaction.atomic():
        tagged = set(
            AnswerCode.objects.filter(code=code, question_id=question_id, response_id__in=ids).values_list(
                "response_id", flat=True
            )
        )
        new = [
            AnswerCode(code=code, response_id=pk, question_id=question_id, tagged_by=user)
            for pk in ids
            if pk not in tagged
        ]
        # ignore_conflicts: a colleague tagging the same answer at the same moment is not an error.
        AnswerCode.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def answers_untag(*, user, code: Code, question_id: str, response_ids: Iterable[int]) -> int:
    """Take ``code`` off these answers; returns how many lost it."""
    _check(user, code.consultation)
    deleted, _rows = AnswerCode.objects.filter(
        code=code, question_id=question_id, response_id__in=[int(pk) for pk in response_ids]
    ).delete()
    return deleted


def code_from_theme(*, user, consultation: ConsultationPage, name: str, question_id: str, response_ids) -> Code:
    """A suggested code: the theme's label as a code (the existing one of that name, if any), on all its answers."""
    _check(user, consultation)
    with transaction.atomic():
        cleaned = clean_text(name or "").strip()[:NAME_MAX]
        code = Code.objects.filter(consultation=consultation, name__iexact=cleaned).first()
        if code is None:
            code = code_create(user=user, consultation=consultation, name=cleaned)
        answers_tag(user=user, code=code, question_id=question_id, response_ids=response_ids)
    return code
