"""Demo reference data and a few cases, for `manage.py seed_demo`. Idempotent."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from grievances import services
from grievances.models import Category, Grievance, Holiday, Programme, Region, SLAPolicy
from grievances.pins import hash_pin
from portal.models import Membership

DEMO_PIN = "246810"

HOLIDAYS = [
    (date(2026, 12, 5), "National Day"),
    (date(2026, 12, 10), "Constitution Day"),
    (date(2026, 12, 31), "New Year's Eve"),
    (date(2027, 1, 1), "New Year's Day"),
    (date(2027, 4, 6), "Chakri Memorial Day"),
    (date(2027, 4, 13), "Songkran"),
    (date(2027, 4, 14), "Songkran"),
    (date(2027, 4, 15), "Songkran"),
    (date(2027, 5, 1), "Labour Day"),
]
REGIONS = [
    ("Bangkok", "bkk"),
    ("Chiang Mai", "cnx"),
    ("Khon Kaen", "kkc"),
    ("Songkhla", "skh"),
    ("Ubon Ratchathani", "ubn"),
]
# (theme, agency slug, sensitive, [what went wrong])
CATEGORIES = [
    (
        "Payments",
        "sso",
        False,
        [
            "Payment not received",
            "Digital payment not received (e-wallet or bank)",
            "Wrong amount paid",
            "Payment stopped without explanation",
        ],
    ),
    (
        "Registration and eligibility",
        "sso",
        False,
        ["Application refused", "Cannot register online", "My details are wrong in the registry"],
    ),
    (
        "Work and employment",
        "dlpw",
        False,
        ["Unpaid wages", "Platform deactivated my account", "No social security contributions paid for me"],
    ),
    ("Service and staff conduct", "sso", False, ["Rude or unhelpful staff", "Asked for a bribe or an unofficial fee"]),
    (
        "Harassment, violence and exploitation",
        "dlpw",
        True,
        ["Sexual harassment", "Gender-based violence", "Forced labour or exploitation"],
    ),
]
# Names in other languages (portal.lib.localized): at least Thai, Vietnamese and
# Indonesian, as an agency's staff would write them. Keyed by the English name.
NAMES = {
    # SLA policies
    "Default": {"th": "มาตรฐาน", "vi": "Mặc định", "id": "Standar"},
    "Urgent (safety)": {"th": "เร่งด่วน (ความปลอดภัย)", "vi": "Khẩn cấp (an toàn)", "id": "Mendesak (keselamatan)"},
    # regions
    "Bangkok": {"th": "กรุงเทพมหานคร", "vi": "Băng Cốc", "id": "Bangkok"},
    "Chiang Mai": {"th": "เชียงใหม่", "vi": "Chiang Mai", "id": "Chiang Mai"},
    "Khon Kaen": {"th": "ขอนแก่น", "vi": "Khon Kaen", "id": "Khon Kaen"},
    "Songkhla": {"th": "สงขลา", "vi": "Songkhla", "id": "Songkhla"},
    "Ubon Ratchathani": {"th": "อุบลราชธานี", "vi": "Ubon Ratchathani", "id": "Ubon Ratchathani"},
    # themes and categories
    "Payments": {"th": "การจ่ายเงิน", "vi": "Chi trả", "id": "Pembayaran"},
    "Payment not received": {"th": "ไม่ได้รับเงิน", "vi": "Chưa nhận được tiền", "id": "Dana belum diterima"},
    "Digital payment not received (e-wallet or bank)": {
        "th": "ไม่ได้รับเงินที่โอนทางดิจิทัล (วอลเล็ตหรือบัญชีธนาคาร)",
        "vi": "Chưa nhận được tiền chuyển khoản (ví điện tử hoặc ngân hàng)",
        "id": "Transfer dana tidak masuk (dompet digital atau rekening bank)",
    },
    "Wrong amount paid": {
        "th": "ได้รับเงินไม่ครบหรือไม่ถูกต้อง",
        "vi": "Nhận sai số tiền",
        "id": "Jumlah yang dibayarkan salah",
    },
    "Payment stopped without explanation": {
        "th": "ถูกระงับการจ่ายเงินโดยไม่มีคำชี้แจง",
        "vi": "Bị ngừng chi trả mà không được giải thích",
        "id": "Pembayaran dihentikan tanpa penjelasan",
    },
    "Registration and eligibility": {
        "th": "การลงทะเบียนและคุณสมบัติ",
        "vi": "Đăng ký và điều kiện hưởng",
        "id": "Pendaftaran dan kelayakan",
    },
    "Application refused": {"th": "คำขอถูกปฏิเสธ", "vi": "Hồ sơ bị từ chối", "id": "Permohonan ditolak"},
    "Cannot register online": {
        "th": "ลงทะเบียนออนไลน์ไม่ได้",
        "vi": "Không đăng ký trực tuyến được",
        "id": "Tidak bisa mendaftar secara daring",
    },
    "My details are wrong in the registry": {
        "th": "ข้อมูลของฉันในทะเบียนไม่ถูกต้อง",
        "vi": "Thông tin của tôi trong hồ sơ đăng ký bị sai",
        "id": "Data saya di basis data pendaftaran salah",
    },
    "Work and employment": {
        "th": "งานและการจ้างงาน",
        "vi": "Việc làm và lao động",
        "id": "Pekerjaan dan ketenagakerjaan",
    },
    "Unpaid wages": {"th": "ถูกค้างจ่ายค่าจ้าง", "vi": "Bị nợ lương", "id": "Upah tidak dibayar"},
    "Platform deactivated my account": {
        "th": "แพลตฟอร์มปิดบัญชีของฉัน",
        "vi": "Ứng dụng đã khóa tài khoản của tôi",
        "id": "Aplikasi menonaktifkan akun saya",
    },
    "No social security contributions paid for me": {
        "th": "ไม่มีการนำส่งเงินสมทบประกันสังคมให้ฉัน",
        "vi": "Không được đóng bảo hiểm xã hội",
        "id": "Iuran jaminan sosial saya tidak dibayarkan",
    },
    "Service and staff conduct": {
        "th": "การให้บริการและความประพฤติของเจ้าหน้าที่",
        "vi": "Chất lượng phục vụ và thái độ cán bộ",
        "id": "Pelayanan dan perilaku petugas",
    },
    "Rude or unhelpful staff": {
        "th": "เจ้าหน้าที่ไม่สุภาพหรือไม่ให้ความช่วยเหลือ",
        "vi": "Cán bộ thiếu lịch sự hoặc không hỗ trợ",
        "id": "Petugas tidak sopan atau tidak membantu",
    },
    "Asked for a bribe or an unofficial fee": {
        "th": "ถูกเรียกสินบนหรือค่าธรรมเนียมนอกระบบ",
        "vi": "Bị đòi hối lộ hoặc thu phí ngoài quy định",
        "id": "Diminta suap atau pungutan liar",
    },
    "Harassment, violence and exploitation": {
        "th": "การล่วงละเมิด ความรุนแรง และการแสวงประโยชน์",
        "vi": "Quấy rối, bạo lực và bóc lột",
        "id": "Pelecehan, kekerasan, dan eksploitasi",
    },
    "Sexual harassment": {"th": "การล่วงละเมิดทางเพศ", "vi": "Quấy rối tình dục", "id": "Pelecehan seksual"},
    "Gender-based violence": {
        "th": "ความรุนแรงบนฐานเพศ",
        "vi": "Bạo lực trên cơ sở giới",
        "id": "Kekerasan berbasis gender",
    },
    "Forced labour or exploitation": {
        "th": "การบังคับใช้แรงงานหรือการแสวงประโยชน์",
        "vi": "Lao động cưỡng bức hoặc bóc lột",
        "id": "Kerja paksa atau eksploitasi",
    },
    # programmes
    "Child Support Grant": {"th": "เงินอุดหนุนเพื่อการเลี้ยงดูเด็ก", "vi": "Trợ cấp nuôi con", "id": "Bantuan Tunjangan Anak"},
    "Old Age Allowance": {"th": "เบี้ยยังชีพผู้สูงอายุ", "vi": "Trợ cấp người cao tuổi", "id": "Tunjangan Lanjut Usia"},
    "Disability Allowance": {
        "th": "เบี้ยความพิการ",
        "vi": "Trợ cấp người khuyết tật",
        "id": "Tunjangan Penyandang Disabilitas",
    },
    "Social Security Fund, Section 40 (informal workers)": {
        "th": "กองทุนประกันสังคม มาตรา 40 (แรงงานนอกระบบ)",
        "vi": "Quỹ An sinh Xã hội, Điều 40 (lao động phi chính thức)",
        "id": "Dana Jaminan Sosial, Pasal 40 (pekerja informal)",
    },
    "Unemployment benefit": {
        "th": "ประโยชน์ทดแทนกรณีว่างงาน",
        "vi": "Trợ cấp thất nghiệp",
        "id": "Tunjangan pengangguran",
    },
}
# Organizations by slug (their English names are the portal's demo data).
ORGANIZATION_NAMES = {
    "mosd": {"th": "กระทรวงการพัฒนาสังคม", "vi": "Bộ Phát triển Xã hội", "id": "Kementerian Pembangunan Sosial"},
    "sso": {"th": "สำนักงานประกันสังคม", "vi": "Văn phòng An sinh Xã hội", "id": "Kantor Jaminan Sosial"},
    "dlpw": {
        "th": "กรมสวัสดิการและคุ้มครองแรงงาน",
        "vi": "Cục Bảo vệ và Phúc lợi Lao động",
        "id": "Departemen Perlindungan dan Kesejahteraan Tenaga Kerja",
    },
    "fiw": {"th": "สหพันธ์แรงงานนอกระบบ", "vi": "Liên đoàn Lao động Phi chính thức", "id": "Federasi Pekerja Informal"},
    "riders": {"th": "สหภาพไรเดอร์แพลตฟอร์ม", "vi": "Công đoàn Tài xế Công nghệ", "id": "Serikat Pengemudi Platform"},
    "nef": {"th": "สหพันธ์นายจ้างแห่งชาติ", "vi": "Liên đoàn Giới chủ Quốc gia", "id": "Federasi Pengusaha Nasional"},
}

PROGRAMMES = [
    ("Child Support Grant", "sso"),
    ("Old Age Allowance", "sso"),
    ("Disability Allowance", "sso"),
    ("Social Security Fund, Section 40 (informal workers)", "sso"),
    ("Unemployment benefit", "sso"),
]


def seed(*, organizations, users, stdout) -> int:
    created = 0
    policy, new = SLAPolicy.objects.get_or_create(
        name="Default",
        defaults={
            "acknowledge_days": 2,
            "resolve_days": 21,
            "appeal_window_days": 30,
            "appeal_decision_days": 30,
            "at_risk_days": 3,
        },
    )
    created += new
    urgent, new = SLAPolicy.objects.get_or_create(
        name="Urgent (safety)",
        defaults={
            "acknowledge_days": 1,
            "resolve_days": 10,
            "appeal_window_days": 30,
            "appeal_decision_days": 15,
            "at_risk_days": 2,
        },
    )
    created += new
    for day, name in HOLIDAYS:
        created += Holiday.objects.get_or_create(date=day, defaults={"name": name})[1]
    for name, code in REGIONS:
        created += Region.objects.get_or_create(code=code, defaults={"name": name})[1]
    for name, agency in PROGRAMMES:
        created += Programme.objects.get_or_create(name=name, defaults={"agency": organizations[agency]})[1]
    for position, (theme, agency, sensitive, children) in enumerate(CATEGORIES):
        parent, new = Category.objects.get_or_create(
            parent=None,
            name=theme,
            defaults={
                "agency": organizations[agency],
                "sensitive": sensitive,
                "position": position,
                "sla_policy": urgent if sensitive else policy,
            },
        )
        created += new
        for child_position, child in enumerate(children):
            created += Category.objects.get_or_create(parent=parent, name=child, defaults={"position": child_position})[
                1
            ]

    created += _name_in_other_languages(organizations)

    # The labour officer is the focal point for sensitive cases at DLPW.
    created += Membership.objects.filter(
        user=users["officer.labour"], organization=organizations["dlpw"], focal_point=False
    ).update(focal_point=True)

    created += _demo_cases(organizations, users, stdout)
    created += _workspace_cases(organizations, users)
    created += _cases_in_other_languages(users)
    return created


def _name_in_other_languages(organizations) -> int:
    """Give the reference data its names in other languages (only where they differ: seeding twice changes nothing)."""
    changed = 0
    for model in (SLAPolicy, Region, Programme, Category):
        for item in model.objects.filter(name__in=NAMES):
            names = {**item.names, **NAMES[item.name]}
            if names != item.names:
                changed += model.objects.filter(pk=item.pk).update(names=names)
    for slug, translated in ORGANIZATION_NAMES.items():
        organization = organizations.get(slug)
        if organization is not None and {**organization.names, **translated} != organization.names:
            changed += (
                type(organization).objects.filter(pk=organization.pk).update(names={**organization.names, **translated})
            )
    return changed


DEMO_SEX_GENDER = (
    Grievance.SexGender.FEMALE,
    Grievance.SexGender.MALE,
    Grievance.SexGender.FEMALE,
    Grievance.SexGender.NOT_GIVEN,
    Grievance.SexGender.ANOTHER,
)


def _demo_cases(organizations, users, stdout) -> int:
    beneficiary, rep = users["beneficiary"], users["union.rep"]
    created = 0
    if not Grievance.objects.filter(complainant=beneficiary).exists():
        lodged = services.grievance_lodge(
            category=Category.objects.get(name="Digital payment not received (e-wallet or bank)"),
            description="My Old Age Allowance for October did not arrive in my e-wallet. The office says it was paid.",
            contact_preference=Grievance.Contact.ACCOUNT,
            complainant=beneficiary,
            programme=Programme.objects.get(name="Old Age Allowance"),
            region=Region.objects.get(code="kkc"),
            sex_gender=Grievance.SexGender.FEMALE,
        )
        Grievance.objects.filter(pk=lodged.grievance.pk).update(pin_hash=hash_pin(DEMO_PIN))
        created += 1
    if not Grievance.objects.filter(lodged_by=rep).exists():
        lodged = services.grievance_lodge(
            category=Category.objects.get(name="Platform deactivated my account"),
            description="Forty riders were deactivated by the delivery app on the same day without explanation, "
            "and lost their Section 40 contributions.",
            contact_preference=Grievance.Contact.ACCOUNT,
            lodged_by=rep,
            lodged_by_organization=organizations["riders"],
            consent_given=True,
            people_affected=40,
            region=Region.objects.get(code="bkk"),
        )
        Grievance.objects.filter(pk=lodged.grievance.pk).update(pin_hash=hash_pin(DEMO_PIN))
        created += 1
    if not Grievance.objects.filter(complainant__isnull=True, lodged_by__isnull=True, anonymous=True).exists():
        lodged = services.grievance_lodge(
            category=Category.objects.get(name="Asked for a bribe or an unofficial fee"),
            description="At the district office I was told to pay 500 baht to have my form accepted faster.",
            contact_preference=Grievance.Contact.NONE,
            anonymous=True,
        )
        Grievance.objects.filter(pk=lodged.grievance.pk).update(pin_hash=hash_pin(DEMO_PIN))
        created += 1
    anonymous = Grievance.objects.filter(anonymous=True).order_by("lodged_at").first()
    if anonymous is not None:
        stdout.write(f"Demo grievance to track without an account: {anonymous.reference}, PIN {DEMO_PIN}")
    return created


# Cases for the agency workspace, one per situation an officer meets. Each is
# found again by its description, so seeding twice adds nothing.
WORKSPACE_CASES = [
    ("in_progress", "Payment not received", "My Child Support Grant stopped in August; nobody told me why."),
    ("awaiting", "Wrong amount paid", "I received 400 baht instead of 600 for my Old Age Allowance."),
    ("at_risk", "Cannot register online", "The registration site rejects my ID card number every time."),
    ("breached", "My details are wrong in the registry", "The registry says I have a car; I have never had one."),
    (
        "referred",
        "Payment stopped without explanation",
        "My employer stopped paying contributions; SSO stopped my benefit.",
    ),
    ("resolved", "Rude or unhelpful staff", "The officer at the district counter shouted at my mother."),
    ("sensitive", "Sexual harassment", "A supervisor at the packing plant touches workers and threatens to fire us."),
]


def _workspace_cases(organizations, users) -> int:
    officer, supervisor, labour = users["officer"], users["supervisor"], users["officer.labour"]
    created = 0
    for situation, category_name, description in WORKSPACE_CASES:
        # Compared after reading: a sensitive category's description is sealed, so no filter matches it.
        if any(g.description == description for g in Grievance.objects.filter(category__name=category_name)):
            continue
        case = services.grievance_lodge(
            category=Category.objects.get(name=category_name),
            description=description,
            contact_preference=Grievance.Contact.PHONE,
            contact_name="Demo complainant",
            contact_phone="+66 80 000 0000",
            confidentiality=(
                Grievance.Confidentiality.CONFIDENTIAL
                if situation == "sensitive"
                else Grievance.Confidentiality.STANDARD
            ),
            region=Region.objects.get(code="kkc"),
            # Some variety for the monitoring dashboard's sex/gender breakdown.
            sex_gender=DEMO_SEX_GENDER[created % len(DEMO_SEX_GENDER)],
        ).grievance
        Grievance.objects.filter(pk=case.pk).update(pin_hash=hash_pin(DEMO_PIN))
        created += 1
        if situation == "sensitive":
            services.grievance_assign(grievance=case, user=labour, assignee=labour, version=case.version)
            continue
        if situation in ("at_risk", "breached"):
            # As if lodged weeks ago: the deadline is near, or gone.
            today = timezone.localdate()
            due = today + timedelta(days=1) if situation == "at_risk" else today - timedelta(days=3)
            Grievance.objects.filter(pk=case.pk).update(
                resolve_due=due,
                due_on=due,
                at_risk_on=due - timedelta(days=4),
                lodged_at=timezone.now() - timedelta(days=30),
            )
            continue
        services.grievance_assign(grievance=case, user=supervisor, assignee=officer, version=1)
        services.grievance_start(grievance=case, user=officer, version=2)
        if situation == "awaiting":
            services.grievance_request_information(
                grievance=case, user=officer, body="Please send a photo of your bank book.", version=3
            )
        elif situation == "referred":
            services.grievance_refer(
                grievance=case,
                user=officer,
                to_agency=organizations["dlpw"],
                reasons="Unpaid contributions by an employer: labour inspection first.",
                version=3,
            )
        elif situation == "resolved":
            services.grievance_resolve(
                grievance=case,
                user=officer,
                decision=Grievance.Decision.PARTLY_UPHELD,
                reasons="The counter officer has been spoken to; we could not confirm the shouting.",
                remedy="A written apology and a named contact for your mother's next visit.",
                version=3,
            )
        else:
            services.grievance_add_note(grievance=case, user=officer, body="Checked the payment file.", version=3)
    return created


# Written by the complainants themselves, in their language: the workspace
# shows them as written, marked with the language, and their notices, text
# messages and the Thai case's outcome letter come in it.
THAI_DESCRIPTION = (
    "เบี้ยยังชีพผู้สูงอายุของแม่ฉันเดือนตุลาคมไม่เข้าบัญชี เจ้าหน้าที่ที่อำเภอบอกว่าโอนไปแล้ว แต่ธนาคารบอกว่าไม่มีเงินเข้า แม่อายุ 78 ปีและต้องใช้เงินนี้ซื้อยา"
)
VIETNAMESE_DESCRIPTION = (
    "Tôi là lao động người Việt làm việc ở Bangkok. Chủ sử dụng lao động trừ tiền bảo hiểm xã hội vào lương "
    "của tôi suốt sáu tháng nhưng khi tôi đến văn phòng thì được biết không có khoản đóng nào cho tôi."
)


def _offered(language: str) -> str:
    # Until the portal offers the language (settings.LANGUAGES), the case speaks the default one.
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _cases_in_other_languages(users) -> int:
    officer, supervisor = users["officer"], users["supervisor"]
    created = 0
    if not Grievance.objects.filter(description=THAI_DESCRIPTION).exists():
        case = services.grievance_lodge(
            category=Category.objects.get(name="Payment not received"),
            description=THAI_DESCRIPTION,
            contact_preference=Grievance.Contact.PHONE,
            contact_name="สมศรี ใจดี",
            contact_phone="+66 80 000 0001",
            programme=Programme.objects.get(name="Old Age Allowance"),
            region=Region.objects.get(code="cnx"),
            sex_gender=Grievance.SexGender.FEMALE,
            language=_offered("th"),
        ).grievance
        Grievance.objects.filter(pk=case.pk).update(pin_hash=hash_pin(DEMO_PIN))
        services.grievance_assign(grievance=case, user=supervisor, assignee=officer, version=1)
        services.grievance_start(grievance=case, user=officer, version=2)
        # Decided: the complainant can download the outcome letter, in Thai.
        services.grievance_resolve(
            grievance=case,
            user=officer,
            decision=Grievance.Decision.UPHELD,
            reasons="เลขบัญชีธนาคารในทะเบียนผู้รับเบี้ยยังชีพไม่ถูกต้อง สำนักงานได้แก้ไขข้อมูลแล้ว",
            remedy="โอนเบี้ยยังชีพเดือนตุลาคมให้ใหม่ภายใน 7 วันทำการ",
            version=3,
        )
        created += 1
    if not Grievance.objects.filter(description=VIETNAMESE_DESCRIPTION).exists():
        case = services.grievance_lodge(
            category=Category.objects.get(name="No social security contributions paid for me"),
            description=VIETNAMESE_DESCRIPTION,
            contact_preference=Grievance.Contact.PHONE,
            contact_name="Nguyễn Thị Hoa",
            contact_phone="+66 80 000 0002",
            region=Region.objects.get(code="bkk"),
            sex_gender=Grievance.SexGender.FEMALE,
            language=_offered("vi"),
        ).grievance
        Grievance.objects.filter(pk=case.pk).update(pin_hash=hash_pin(DEMO_PIN))
        created += 1
    return created
