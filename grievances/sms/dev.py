"""The development gateway: a page that looks like a phone, at /dev/sms/ (404 in production).

Type a text as any number; it goes through the same :func:`inbound.receive`
as a gateway's webhook, and the replies show as the phone would show them.
Notices the task worker sends show too when ``SMS_BACKEND`` is the file
backend (``portal.lib.sms.FileBackend``): the page reads its log.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from grievances.sms import inbound
from grievances.sms.numbers import normalize

SESSION_KEY = "suara_dev_phone"
KEEP = 60


class PhoneForm(forms.Form):
    number = forms.CharField(label=_("Send as the number"), max_length=32, initial="+66800000001")
    body = forms.CharField(
        label=_("Message"), max_length=inbound.MAX_BODY, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _notices(number: str) -> list[dict]:
    if settings.SMS_BACKEND != "portal.lib.sms.FileBackend":
        return []
    path = Path(getattr(settings, "SMS_FILE_PATH", settings.VAR_DIR / "sms.log"))
    if not path.exists():
        return []
    found = []
    for line in path.read_text(encoding="utf-8").splitlines()[-500:]:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if normalize(entry.get("to", "")) == number:
            found.append({"direction": "out", "text": entry.get("body", ""), "at": entry.get("at", "")})
    return found


def phone(request):
    if not settings.SMS_DEV_GATEWAY:
        raise Http404
    kept = request.session.get(SESSION_KEY, {"number": "+66800000001", "thread": []})
    if request.method == "POST":
        form = PhoneForm(request.POST)
        if form.is_valid():
            number = normalize(form.cleaned_data["number"]) or kept["number"]
            if number != kept["number"]:
                kept = {"number": number, "thread": []}
            body = form.cleaned_data["body"]
            replies = inbound.receive(gateway="dev", message_id=uuid.uuid4().hex, sender=number, body=body) or []
            thread = (
                kept["thread"]
                + [{"direction": "in", "text": body}]
                + [{"direction": "out", "text": reply} for reply in replies]
            )
            kept["thread"] = thread[-KEEP:]
            request.session[SESSION_KEY] = kept
            return redirect("sms_dev:phone")
    else:
        form = PhoneForm(initial={"number": kept["number"]})
    return render(
        request,
        "grievances/sms/phone.html",
        {"form": form, "number": kept["number"], "thread": kept["thread"], "notices": _notices(kept["number"])},
    )
