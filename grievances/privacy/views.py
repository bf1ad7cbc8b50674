"""The complainant's export of one case, reached as its owner or with reference + PIN (the same gate as the page)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from grievances import services
from grievances.access import grievance_for_complainant
from grievances.privacy import erasure
from grievances.privacy.exports import case_record
from grievances.privacy.models import ErasureRequest
from portal.lib.datasection import DataSection, as_json
from portal.lib.forms import apply_service_errors
from portal.lib.pdf import render_pdf


def _section(request, reference):
    grievance = grievance_for_complainant(request, reference)  # 404 for anyone else
    return grievance, [DataSection("grievances", _("Your grievance"), [case_record(grievance)])]


@never_cache
@require_GET
def case_data(request, reference):
    grievance, sections = _section(request, reference)
    response = JsonResponse(as_json(sections), json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="suara-{grievance.reference}.json"'
    return response


@never_cache
@require_GET
def case_data_pdf(request, reference):
    grievance, sections = _section(request, reference)
    title = _("Everything kept about grievance %(reference)s") % {"reference": grievance.reference}
    pdf = render_pdf(
        "portal/pdf/my_data.html",
        {"title": title, "data_sections": sections, "lang": request.LANGUAGE_CODE},
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="suara-{grievance.reference}.pdf"'
    return response


class ContactForm(forms.Form):
    contact_name = forms.CharField(label=_lazy("Your name"), max_length=150, required=False)
    contact_phone = forms.CharField(label=_lazy("Phone"), max_length=32, required=False)
    contact_email = forms.EmailField(label=_lazy("E-mail"), required=False)


@never_cache
def contact(request, reference):
    """The complainant corrects their contact details (the change, not the values, goes on the timeline)."""
    grievance = grievance_for_complainant(request, reference)  # 404 for anyone else
    if request.method == "POST":
        form = ContactForm(request.POST)
        if form.is_valid():
            try:
                services.grievance_correct_contact(grievance=grievance, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Your contact details are saved."))
                return redirect(grievance.get_absolute_url())
    else:
        form = ContactForm(
            initial={
                "contact_name": grievance.contact_name,
                "contact_phone": grievance.contact_phone,
                "contact_email": grievance.contact_email,
            }
        )
    return render(request, "grievances/privacy/contact.html", {"grievance": grievance, "form": form})


@never_cache
def erase(request, reference):
    """The complainant reads the rules in plain words and asks for their data in this case to be erased."""
    grievance = grievance_for_complainant(request, reference)  # the tracking capability, or 404
    pending = ErasureRequest.objects.filter(grievance=grievance, state=ErasureRequest.State.PENDING).first()
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Please tick the box to confirm your request."))
        else:
            try:
                pending = erasure.erasure_request(grievance=grievance, user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Your request is sent. The agency will answer by the date shown."))
                return redirect(grievance.get_absolute_url())
    return render(
        request,
        "grievances/privacy/erase.html",
        {"grievance": grievance, "pending": pending, "decision_days": erasure.DECISION_DAYS},
    )
