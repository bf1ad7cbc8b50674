"""Demo cases for the themes pages: one problem reported to two agencies, in four languages, over ten weeks.

Enough of them for a theme that the oversight demo login sees above the
minimum cell (``SUARA_STATISTICS_MIN_CELL``, 10 by default), with a trend,
regions, both agencies and several channels. One description carries a
phone number and a name, which its excerpt never shows. Each case is found
again by its description, so seeding twice adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from grievances import services
from grievances.demo import DEMO_PIN
from grievances.models import Category, Grievance, Region
from grievances.pins import hash_pin

# (language, text): the one-time code that never arrives, as people write it.
TEXTS = (
    ("en", "The OTP code never arrives on my phone so I cannot open the app to see my payment. Tried {n} times."),
    ("th", "รหัส OTP ไม่เข้ามือถือเลย เข้าแอปดูเงินไม่ได้ ลองขอใหม่ {n} ครั้งแล้ว"),
    ("vi", "Tôi không nhận được mã OTP qua điện thoại nên không vào được ứng dụng, đã thử {n} lần."),
    ("id", "Kode OTP tidak pernah masuk ke HP saya, tidak bisa buka aplikasi, sudah coba {n} kali."),
)
# Which agency's category each case goes to: most to the Social Security Office, some to Labour Protection.
CATEGORIES = ("Digital payment not received (e-wallet or bank)", "Platform deactivated my account")
CASES = 24
CHANNELS = (Grievance.Channel.WEB, Grievance.Channel.SMS, Grievance.Channel.PHONE)


def description_of(index: int) -> tuple[str, str]:
    language, text = TEXTS[index % len(TEXTS)]
    text = text.format(n=2 + index)
    if index == 0:
        text += " My name is Somchai Rakdee, call me on 081 234 5678."
    return language, text


def seed() -> int:
    """Lodge the demo's recurring problem (once); returns how many cases were made."""
    today = timezone.localdate()
    regions = list(Region.objects.order_by("code"))
    categories = [Category.objects.filter(name=name).first() for name in CATEGORIES]
    if not regions or None in categories:
        return 0
    created = 0
    for index in range(CASES):
        language, description = description_of(index)
        if Grievance.objects.filter(description=description).exists():
            continue
        case = services.grievance_lodge(
            category=categories[0 if index % 3 else 1],
            description=description,
            contact_preference=Grievance.Contact.NONE,
            anonymous=index != 0,
            contact_name="Somchai Rakdee" if index == 0 else "",
            occurred_on=today - timedelta(days=3 * index),
            region=regions[index % len(regions)],
            channel=CHANNELS[index % len(CHANNELS)],
            language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
        ).grievance
        # Like every demo case, followed with the demo PIN.
        Grievance.objects.filter(pk=case.pk).update(pin_hash=hash_pin(DEMO_PIN))
        created += 1
    return created
