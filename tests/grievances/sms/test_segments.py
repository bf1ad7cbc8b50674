"""Every SMS text in every offered language stays within its segment budget, with the longest realistic values.

Whatever the catalogue holds (a new text is English until translated) is what
is tested; the budgets are written for UCS-2, so a translation of the same
length as the English still fits.
"""

import pytest
from django.conf import settings
from django.utils import translation

from grievances.sms.texts import TEXTS, render
from portal.lib.sms import segments

# Longest realistic values: a reference, a long agency name in a UCS-2 script, dates, menus, PINs.
LONG_AGENCY = "สำนักงานประกันสังคม กระทรวงแรงงาน"  # "Social Security Office, Ministry of Labour"
MENU = "\n".join(
    f"{n} {name}" for n, name in enumerate(["การจ่ายเงิน", "การลงทะเบียน", "สิทธิประโยชน์", "การบริการ", "อื่นๆ"], 1)
)
VALUES = {
    "reference": "SU-7K3Q-9PXM",
    "pin": "123456",
    "agency": LONG_AGENCY,
    "date": "30/11/2026",
    "menu": MENU,
    "category": "ไม่ได้รับเงินสงเคราะห์บุตร",
    "site": "https://suara.example.org/grievances/new/",
    "hours": "24",
    "minutes": "60",
    "language": "Tiếng Việt",
    "codes": ", ".join(code for code, _name in settings.LANGUAGES),
    "reason": "ข้อความยาว " * 80,
    "text": "คำถามยาวมากจากเจ้าหน้าที่ " * 80,
}


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_text_fits_its_budget_in_every_language(name, language):
    with translation.override(language):
        text = render(name, **VALUES)
    assert "%(" not in text
    counted = segments.count(text)
    assert counted.segments <= TEXTS[name].budget, f"{name} in {language}: {counted} for {text!r}"


def test_someones_long_words_are_cut_visibly_not_silently():
    text = render("question", **VALUES)
    assert "…" in text and text.endswith("Reply to this number to answer.")
