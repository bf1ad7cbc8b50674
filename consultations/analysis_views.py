"""The owner's analysis of free-text answers: themes by stakeholder group, and coding answers.

Two addresses under a consultation, for the people ``rules.can_analyse_answers``
allows (anyone else: 404, as for something they may not know exists; signed
out: the sign-in page): ``manage/analysis/`` (themes per question, codes,
suggested codes) and ``manage/analysis/answers/`` (the answers of one question,
of a theme or a code, each tagged and untagged one by one). Plain forms posted
back to the same address, then a redirect; every write goes through
``consultations.codes``, which asks the rule again.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultations import analysis, codes, rules, tasks
from consultations.forms import CodeForm
from consultations.models import Code, ConsultationPage
from consultations.views import _render, _staff_gate
from portal.lib.params import object_id

ANSWERS_PER_PAGE = 50


def _gate(request, page: ConsultationPage):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not rules.can_analyse_answers(request.user, page):
        raise Http404
    return _staff_gate(request, page)


def _themes(page: ConsultationPage) -> tuple[str, dict | None]:
    # A large consultation's themes are computed by the task worker (None until then).
    return analysis.answer_themes_cached(page, enqueue=tasks.compute_answer_themes.enqueue)


def _code(page: ConsultationPage, raw) -> Code:
    """A code of this consultation named in a form; anything else is 404."""
    pk = object_id(raw)
    code = Code.objects.filter(pk=pk, consultation=page).select_related("consultation").first() if pk else None
    if code is None:
        raise Http404
    code.consultation = page
    return code


def _theme(post, key: str, data: dict | None) -> tuple[str, dict] | None:
    """The (question id, theme) a theme form names, or None (with a message) when the answers changed since."""
    if data is None or post.get("key") != key:
        return None
    part = data["questions"].get(post.get("question") or "")
    # Themes are numbered from 1 in forms and addresses.
    number = object_id(post.get("theme")) if part else None
    if number is None or number > len(part["themes"]):
        return None
    return post["question"], part["themes"][number - 1]


def _say_errors(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _analysis_post(request, page: ConsultationPage, key: str, data: dict | None):
    """One action of the analysis page; returns a form to show again with its errors, or None."""
    action = request.POST.get("action")
    user = request.user
    try:
        if action == "create":
            form = CodeForm(request.POST)
            if not form.is_valid():
                return form
            try:
                code = codes.code_create(user=user, consultation=page, **form.cleaned_data)
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
                return form
            messages.success(request, _("The code “%(name)s” is created.") % {"name": code.name})
        elif action == "rename":
            code = codes.code_rename(
                user=user,
                code=_code(page, request.POST.get("code")),
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
            )
            messages.success(request, _("The code is now called “%(name)s”.") % {"name": code.name})
        elif action == "merge":
            source = _code(page, request.POST.get("code"))
            target = _code(page, request.POST.get("target"))
            codes.code_merge(user=user, source=source, target=target)
            messages.success(
                request,
                _("“%(source)s” is merged into “%(target)s”.") % {"source": source.name, "target": target.name},
            )
        elif action == "delete":
            code = _code(page, request.POST.get("code"))
            if not request.POST.get("confirm"):
                messages.error(request, _("Tick the box to confirm that the code and its tags go."))
            else:
                codes.code_delete(user=user, code=code)
                messages.success(request, _("The code “%(name)s” is deleted.") % {"name": code.name})
        elif action in ("theme_tag", "suggest"):
            chosen = _theme(request.POST, key, data)
            if chosen is None:
                messages.error(request, _("The answers changed since the page was shown. Here are the themes again."))
            else:
                question_id, theme = chosen
                if action == "suggest":
                    code = codes.code_from_theme(
                        user=user,
                        consultation=page,
                        name=theme["label"],
                        question_id=question_id,
                        response_ids=theme["members"],
                    )
                    count = len(theme["members"])
                else:
                    code = _code(page, request.POST.get("code"))
                    count = codes.answers_tag(
                        user=user, code=code, question_id=question_id, response_ids=theme["members"]
                    )
                messages.success(
                    request,
                    ngettext(
                        "%(count)s answer is tagged “%(name)s”.",
                        "%(count)s answers are tagged “%(name)s”.",
                        count,
                    )
                    % {"count": count, "name": code.name},
                )
        else:
            messages.error(request, _("That action is not known. Nothing was changed."))
    except ValidationError as error:
        _say_errors(request, error)
    return None


@ConsultationPage.handlers.register("analysis")
def analysis_page(request, page: ConsultationPage):
    """Themes of each free-text question by stakeholder group, the codes, and suggested codes."""
    if gate := _gate(request, page):
        return gate
    key, data = _themes(page)
    form = CodeForm()
    if request.method == "POST":
        shown_again = _analysis_post(request, page, key, data)
        if shown_again is None:
            return redirect(page.url + "manage/analysis/")
        form = shown_again
    code_list = analysis.codes_with_counts(page)
    context = {
        "key": key,
        "preparing": data is None,
        "available": data is None or data["available"],
        "questions": analysis.analysis_view(page, data, code_list),
        "codes": code_list,
        "form": form,
    }
    return _render(request, page, "consultations/analysis.html", context)


def _answers_scope(request, page: ConsultationPage):
    """The question, and the answers listed: a theme's, a code's, or all of the question's."""
    question = page.question_by_id(request.GET.get("question") or "")
    if question is None or question not in analysis.free_text_questions(page):
        raise Http404
    key, data = _themes(page)
    title, ids = _("Every answer"), None
    if "theme" in request.GET:
        chosen = _theme({**request.GET.dict(), "question": question.id}, key, data)
        if chosen is None:
            messages.info(request, _("The answers changed since the themes were shown: here is every answer."))
        else:
            title, ids = _("Theme: %(label)s") % {"label": chosen[1]["label"]}, chosen[1]["members"]
    elif "code" in request.GET:
        code = _code(page, request.GET.get("code"))
        title, ids = _("Code: %(name)s") % {"name": code.name}, analysis.answered_ids(page, question, code=code)
    if ids is None:
        ids = analysis.answered_ids(page, question)
    return question, title, ids


@ConsultationPage.handlers.register("analysis_answers")
def analysis_answers(request, page: ConsultationPage):
    """The answers of one question (of a theme or a code), each with its codes: tag and untag one by one."""
    if gate := _gate(request, page):
        return gate
    question, title, ids = _answers_scope(request, page)
    if request.method == "POST":
        response_id = object_id(request.POST.get("response"))
        if response_id is None or response_id not in ids:
            raise Http404
        code = _code(page, request.POST.get("code"))
        try:
            if request.POST.get("action") == "untag":
                codes.answers_untag(user=request.user, code=code, question_id=question.id, response_ids=[response_id])
                messages.success(request, _("“%(name)s” is taken off the answer.") % {"name": code.name})
            else:
                codes.answers_tag(user=request.user, code=code, question_id=question.id, response_ids=[response_id])
                messages.success(request, _("The answer is tagged “%(name)s”.") % {"name": code.name})
        except ValidationError as error:
            _say_errors(request, error)
        return redirect(f"{page.url}manage/analysis/answers/?{urlencode(request.GET)}#answer-{response_id}")
    paginator = Paginator(ids, ANSWERS_PER_PAGE)
    shown = paginator.get_page(request.GET.get("page"))
    rows = analysis.answer_page_rows(page, question, list(shown))
    params = {key: value for key, value in request.GET.items() if key != "page"}
    context = {
        "question": question,
        "title": title,
        "rows": rows,
        "answers_page": shown,
        "codes": list(Code.objects.filter(consultation=page).order_by("name", "pk")),
        "query": urlencode(params),
    }
    return _render(request, page, "consultations/analysis_answers.html", context)
