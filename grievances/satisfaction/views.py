"""The complainant answers how their grievance ended: on the case page, or on this page from the e-mail's link.

Reached through the complainant's gate (owner, or reference + PIN): 404 for
anyone else. Staff of the case's agency are refused even with the PIN.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from grievances.access import grievance_for_complainant
from grievances.satisfaction import selectors, services
from grievances.satisfaction.forms import AnswerForm
from portal.lib.forms import apply_service_errors


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, reference: str):
    grievance = grievance_for_complainant(request, reference)  # 404 for anyone else
    services.refuse_staff(request.user, grievance)  # 403: they know the case, and may not answer for it
    if not services.can_answer(grievance):
        messages.info(request, _("You can tell us how it went once a decision has been made on your grievance."))
        return redirect(grievance.get_absolute_url())
    existing = selectors.answer_for(grievance)
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                services.satisfaction_record(grievance=grievance, user=request.user, **form.service_arguments())
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    apply_service_errors(form, error)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, _("Thank you. Your answer helps the agencies see what works."))
                return redirect(grievance.get_absolute_url())
        status = 400
    else:
        form = AnswerForm.for_answer(existing)
        status = 200
    context = {
        "grievance": grievance,
        "answer": existing,
        "form": form,
        "can_change": services.may_change(existing),
        "change_days": services.CHANGE_WINDOW.days,
    }
    return render(request, "grievances/satisfaction/answer.html", context, status=status)
