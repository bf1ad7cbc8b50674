"""The complainant's export of one case, reached as its owner or with reference + PIN (the same gate as the page)."""

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from grievances.access import grievance_for_complainant
from grievances.privacy.exports import case_record
from portal.lib.datasection import DataSection, as_json
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
