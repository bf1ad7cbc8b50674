"""The satisfaction wing's registrations with the portal (``portal.registry``)."""

from wagtail import hooks

from grievances.satisfaction import selectors, services
from grievances.satisfaction.exports import answers_section
from grievances.satisfaction.forms import AnswerForm
from portal import registry


@hooks.register(registry.CASE_PAGE_NOTES)
def satisfaction_note(grievance):
    # Only decided cases ask; an undecided case's page costs no query here.
    if not services.can_answer(grievance):
        return None
    answer = selectors.answer_for(grievance)
    context = {
        "grievance": grievance,
        "answer": answer,
        "form": AnswerForm.for_answer(answer),
        "can_change": services.may_change(answer),
        "change_days": services.CHANGE_WINDOW.days,
    }
    return "grievances/satisfaction/case_note.html", context


@hooks.register(registry.MY_DATA_SECTION)
def my_answers(user):
    return answers_section(user)


@hooks.register(registry.CASES_ANONYMISED)
def forget_comments(**kwargs):
    services.satisfaction_forget(**kwargs)
