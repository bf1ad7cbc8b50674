"""The million synthetic cases the workspace benchmarks measure against.

Shared by ``bench/queue.py`` and ``bench/monitoring.py``: bench agencies,
categories and an officer, and ``cases`` grievances with their lodging event,
bulk loaded with ``COPY`` into the PostgreSQL database named by
``DATABASE_URL`` (created when missing). The rows are kept between runs and
reused when there are at least as many.
"""

from __future__ import annotations

import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_queue_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/4"
BENCH_PREFIX = "bench-queue"  # slugs and e-mail addresses of the bench's own rows
SEARCH_INDEX = "grievance_search_text_trgm"  # grievances/migrations/0010_script_search.py

# Word bands: g % modulus == 0 puts the word in case g's description.
WORDS = {"common": ("payment", 3), "middling": ("wallet", 97), "rare": ("ombudsman", 9973)}
FILLER = (
    "late office card registry allowance pension disability child support bank account transfer district "
    "counter staff form refused online website phone queue month"
).split()

# About a third of the cases are written in six of the region's languages:
# short complaints made of everyday fragments (a few of each text), joined as
# the language writes them (Thai, Khmer and Chinese without spaces between
# words), plus three words per language at three frequencies, searched for by
# the benchmark: common (in about half of that language's cases), middling
# (about one in eleven), rare (about one in a thousand). None of them is part
# of a fragment, so a search finds exactly the cases it was put in. The
# query is what an officer types: Vietnamese without its accents.
SCRIPT_BANDS = {"common": 2, "middling": 11, "rare": 1009}
SCRIPTS = {
    "th": {
        "script": "Thai",
        "fragments": [
            "ไม่ได้รับเงินเดือนนี้",
            "เจ้าหน้าที่บอกให้รอ",
            "โทรไปหลายครั้งแล้ว",
            "สำนักงานเขตปิด",
            "บัตรประชาชนหมดอายุ",
            "ยื่นเอกสารครบแล้ว",
            "บัญชีธนาคารถูกระงับ",
            "ต้องเดินทางไกล",
            "ลูกป่วยต้องใช้เงิน",
            "ระบบออนไลน์ใช้ไม่ได้",
        ],
        "joiner": "",
        "words": {"common": "เบี้ยยังชีพ", "middling": "ผู้พิการ", "rare": "ผู้ตรวจการแผ่นดิน"},
    },
    "vi": {
        "script": "Vietnamese",
        "fragments": [
            "tôi chưa nhận được tiền tháng này",
            "nhân viên bảo tôi chờ",
            "đã gọi điện nhiều lần",
            "văn phòng xã đóng cửa",
            "thẻ căn cước hết hạn",
            "đã nộp đủ giấy tờ",
            "tài khoản ngân hàng bị khóa",
            "phải đi xa",
            "con tôi bị ốm",
            "hệ thống trực tuyến không hoạt động",
        ],
        "joiner": ", ",
        "words": {"common": "trợ cấp", "middling": "lương hưu", "rare": "thanh tra"},
        "queries": {"common": "tro cap", "middling": "luong huu", "rare": "thanh tra"},
    },
    "km": {
        "script": "Khmer",
        "fragments": [
            "ខ្ញុំមិនបានទទួលប្រាក់ខែនេះ",
            "មន្ត្រីប្រាប់ឱ្យរង់ចាំ",
            "ខ្ញុំបានទូរស័ព្ទច្រើនដង",
            "ការិយាល័យឃុំបិទ",
            "អត្តសញ្ញាណប័ណ្ណផុតកំណត់",
            "បានដាក់ឯកសារគ្រប់",
            "គណនីធនាគារត្រូវបានបិទ",
            "ត្រូវធ្វើដំណើរឆ្ងាយ",
        ],
        "joiner": " ",
        "words": {"common": "ប្រាក់ឧបត្ថម្ភ", "middling": "ជនពិការ", "rare": "អ្នកសម្របសម្រួល"},
    },
    "zh": {
        "script": "Chinese",
        "fragments": [
            "这个月没有收到钱",
            "工作人员让我等",
            "打了很多次电话",
            "乡政府办公室关门了",
            "身份证过期了",
            "材料都交齐了",
            "银行账户被冻结",
            "要走很远的路",
            "孩子生病需要钱",
            "网上系统用不了",
        ],
        "joiner": "\uff0c",
        # Two characters for two of the bands: the short words a trigram index cannot split.
        "words": {"common": "低保", "middling": "养老金", "rare": "信访"},
    },
    "id": {
        "script": "Indonesian",
        "fragments": [
            "saya belum menerima uang bulan ini",
            "petugas menyuruh saya menunggu",
            "sudah menelepon berkali-kali",
            "kantor desa tutup",
            "KTP sudah kedaluwarsa",
            "dokumen sudah lengkap",
            "rekening bank diblokir",
            "harus pergi jauh",
            "anak saya sakit",
            "sistem online tidak berfungsi",
        ],
        "joiner": ", ",
        "words": {"common": "bansos", "middling": "lansia", "rare": "inspektorat"},
    },
    "bn": {
        "script": "Bengali",
        "fragments": [
            "এই মাসের টাকা পাইনি",
            "অফিসার অপেক্ষা করতে বলেছে",
            "অনেকবার ফোন করেছি",
            "ইউনিয়ন অফিস বন্ধ",
            "জাতীয় পরিচয়পত্রের মেয়াদ শেষ",
            "সব কাগজ জমা দিয়েছি",
            "ব্যাংক হিসাব বন্ধ",
            "অনেক দূর যেতে হয়",
        ],
        "joiner": ", ",
        "words": {"common": "ভাতা", "middling": "প্রতিবন্ধী", "rare": "ন্যায়পাল"},
    },
}
LANGUAGE_SLOTS = 18  # six of eighteen: a third of the cases


def case_language(number: int) -> str:
    """The language of bench case ``number``: hashed, so it does not line up with agency, status or age."""
    slot = ((number * 2246822519) % 2**32 >> 7) % LANGUAGE_SLOTS
    return list(SCRIPTS)[slot] if slot < len(SCRIPTS) else "en"


def script_text(number: int, language: str, rng: random.Random) -> str:
    spec = SCRIPTS[language]
    parts = [rng.choice(spec["fragments"]) for _ in range(4)]
    bands = (number * 3266489917) % 2**32
    for band, modulus in SCRIPT_BANDS.items():
        if bands % modulus == 0:
            parts.insert(rng.randrange(len(parts) + 1), spec["words"][band])
    text = spec["joiner"].join(parts)
    return text + ("\u3002" if language == "zh" else ".")


def script_query(language: str, band: str) -> str:
    """What an officer types to find a band's word."""
    spec = SCRIPTS[language]
    return spec.get("queries", spec["words"])[band]


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django(database_url: str, redis_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["REDIS_URL"] = redis_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Development settings, but without DEBUG's query log in the figures.
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SUARA_VAR_DIR", str(ROOT / "var" / "bench-queue"))
    import django

    django.setup()


def reference_for(number: int) -> str:
    """A valid, unique reference for bench case ``number`` (base 30, with its check character)."""
    from grievances.references import ALPHABET, check_character, format_reference

    body = ""
    value = number
    for _ in range(7):
        value, digit = divmod(value, len(ALPHABET))
        body = ALPHABET[digit] + body
    return format_reference("SU" + body + check_character(body))


def load(cases: int, agencies: int, reload: bool) -> dict:
    """Bench agencies, categories, an officer, and ``cases`` grievances with one event each."""
    from django.db import connection
    from django.utils import timezone

    from grievances.models import Category, Grievance, SLAPolicy
    from portal.models import Membership, Organization, User

    policy, _ = SLAPolicy.objects.get_or_create(name="Bench")
    orgs = []
    for index in range(agencies):
        org, _ = Organization.objects.get_or_create(
            slug=f"{BENCH_PREFIX}-{index}",
            defaults={"name": f"Bench agency {index}", "kind": Organization.Kind.GOVERNMENT, "verified": True},
        )
        orgs.append(org)
    categories = []
    for org in orgs:
        theme, _ = Category.objects.get_or_create(
            parent=None, name=f"Bench theme {org.pk}", defaults={"agency": org, "sla_policy": policy}
        )
        child, _ = Category.objects.get_or_create(parent=theme, name="Payment not received")
        categories.append(child)
    email = f"{BENCH_PREFIX}-officer@demo.suara.test"  # demo domain: no second factor in development
    officer = User.objects.filter(email=email).first() or User.objects.create_user(email, "bench-password-1")
    Membership.objects.get_or_create(user=officer, organization=orgs[0], role=Membership.Role.CASE_OFFICER)

    existing = Grievance.objects.filter(agency__in=orgs).count()
    if reload and existing:
        print(f"deleting {existing:,} bench cases")
        with connection.cursor() as cursor:
            ids = "SELECT id FROM grievances_grievance WHERE agency_id = ANY(%s)"
            params = [[o.pk for o in orgs]]
            for table in ("grievances_caseaccess", "grievances_attachment", "grievances_referral"):
                cursor.execute(f"DELETE FROM {table} WHERE grievance_id IN ({ids})", params)
            # Case events are append-only through the ORM; a bench reset is not a case change.
            cursor.execute(f"DELETE FROM grievances_caseevent WHERE grievance_id IN ({ids})", params)
            cursor.execute("DELETE FROM grievances_grievance WHERE agency_id = ANY(%s)", params)
        existing = 0
    if existing and not Grievance.objects.filter(agency__in=orgs).exclude(language="en").exists():
        raise SystemExit("the bench cases were loaded before they had texts in six languages: run again with --reload")
    if existing >= cases:
        print(f"reusing {existing:,} bench cases")
    else:
        started = time.monotonic()
        # A bulk load builds the search's trigram index once at the end, as a
        # restore would: keeping it up to date row by row makes the load
        # several times slower. (The migration builds it CONCURRENTLY instead,
        # because there the portal is serving.)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {SEARCH_INDEX}")
        _copy_cases(existing, cases, orgs, categories, timezone.now(), officer)
        loaded = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute(f"CREATE INDEX {SEARCH_INDEX} ON grievances_grievance USING gin (search_text gin_trgm_ops)")
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute("ANALYZE grievances_grievance")
            cursor.execute("ANALYZE grievances_caseevent")
        print(
            f"loaded {cases - existing:,} cases in {loaded - started:.0f} s; "
            f"search index built in {time.monotonic() - loaded:.0f} s"
        )
    return {"officer": officer, "agency": orgs[0], "categories": categories}


def _copy_cases(start: int, end: int, orgs, categories, now, officer) -> None:
    from django.db import connection

    from grievances.workflow import Status

    open_statuses = [Status.ACKNOWLEDGED, Status.ASSIGNED, Status.IN_PROGRESS, Status.AWAITING_COMPLAINANT]
    columns = (
        "reference, pin_hash, status, category_id, agency_id, channel, language, anonymous, confidentiality, "
        "contact_preference, contact_name, contact_phone, contact_email, member_name, member_identity_withheld, "
        "people_affected, description, lodged_at, acknowledged_at, acknowledge_due, resolve_due, due_on, at_risk_on, "
        "escalation_level, last_activity_at, decision, decision_reasons, remedy, version, updated_at, closed_at, "
        "assignee_id, resolved_at, region_id, sex_gender, lodged_language"
    )
    # What monitoring (bench/monitoring.py) reads: when a case was decided and
    # how, where from, by whom. Deterministic per case number, like the rest.
    regions = _bench_regions()
    channels = ["web"] * 6 + ["phone", "phone", "in_person", "paper", "on_behalf"]
    decisions = ["upheld", "upheld", "partly_upheld", "not_upheld", "not_upheld", "out_of_scope"]
    sex_genders = ["female", "female", "male", "male", "not_given", "another"]
    rng = random.Random(start)
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY grievances_grievance ({columns}) FROM STDIN") as copy:
            for number in range(start + 1, end + 1):
                agency_index = number % len(orgs)
                # Mixed so that status, age and assignment do not line up with the agency.
                mix = (number * 2654435761) % 2**32
                language = case_language(number)
                if language == "en":
                    words = [rng.choice(FILLER) for _ in range(12)]
                    for word, modulus in WORDS.values():
                        if number % modulus == 0:
                            words.insert(rng.randrange(len(words)), word)
                    description = "My " + " ".join(words) + "."
                else:
                    description = script_text(number, language, rng)
                closed = mix % 10 < 3
                status = Status.CLOSED if closed else open_statuses[(mix // 10) % len(open_statuses)]
                # Open cases arrived in the last 40 days (a few are past due); closed ones over two years.
                age_minutes = (mix // 40) % ((730 if closed else 40) * 24 * 60)
                lodged = now - timedelta(minutes=age_minutes)
                due = (lodged + timedelta(days=30)).date()
                assignee = officer.pk if agency_index == 0 and not closed and mix % 7 == 0 else None
                # Decided 1–45 days after lodging (the resolve deadline is 30: most in time);
                # acknowledged within 0–59 hours (the deadline is two days: most in time).
                resolved = lodged + timedelta(days=1 + (mix // 13) % 45, hours=(mix // 7) % 24) if closed else None
                acknowledged = lodged + timedelta(hours=(mix // 17) % 60)
                copy.write_row(
                    (
                        reference_for(number),
                        "bench",
                        status,
                        categories[agency_index].pk,
                        orgs[agency_index].pk,
                        channels[(mix // 3) % len(channels)],
                        language,
                        False,
                        "standard",
                        "none",
                        "",
                        "",
                        "",
                        "",
                        False,
                        1,
                        description,
                        lodged,
                        acknowledged,
                        (lodged + timedelta(days=2)).date(),
                        due,
                        None if closed else due,
                        None if closed else due - timedelta(days=4),
                        0,
                        lodged,
                        decisions[(mix // 11) % len(decisions)] if closed else "",
                        "",
                        "",
                        1,
                        lodged,
                        resolved + timedelta(days=3) if closed else None,
                        assignee,
                        resolved,
                        regions[(mix // 5) % len(regions)],
                        sex_genders[(mix // 19) % len(sex_genders)],
                        language,
                    )
                )
        # One lodging event per case, written by the database from the rows just loaded.
        cursor.execute(
            "INSERT INTO grievances_caseevent (grievance_id, kind, public, actor_label, by_complainant, body, "
            "payload, status_after, created_at) "
            "SELECT id, 'lodged', true, 'Complainant', true, '', '{}'::jsonb, status, lodged_at "
            "FROM grievances_grievance g WHERE g.agency_id = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM grievances_caseevent e WHERE e.grievance_id = g.id)",
            [[o.pk for o in orgs]],
        )
        _monitoring_history(cursor, start, orgs)
    raw.commit()


def _bench_regions() -> list[int]:
    from grievances.models import Region

    return [
        Region.objects.get_or_create(code=f"bench-{index}", defaults={"name": f"Bench region {index}"})[0].pk
        for index in range(6)
    ]


def _monitoring_history(cursor, start: int, orgs) -> None:
    """Timeline events and referrals for the decided cases just loaded (for monitoring).

    Of the decided cases (not out of scope): four in five accepted two days
    after the decision, one in five appealed after five days and the appeal
    decided after twenty (upheld for one in three). One case in seventeen
    was referred to the next agency a day after lodging and accepted (or,
    one in four, returned) after 1–10 days, longer for some receiving
    agencies: the bottlenecks the dashboard should find. Only cases numbered
    above ``start`` (this load) get them.
    """
    references = [reference_for(start + 1)] if start else None
    first_id = 0
    if references:
        cursor.execute("SELECT id FROM grievances_grievance WHERE reference = %s", references)
        row = cursor.fetchone()
        first_id = row[0] if row else 0
    agencies = [[o.pk for o in orgs]]
    decided = (
        "FROM grievances_grievance g WHERE g.agency_id = ANY(%s) AND g.id >= %s "
        "AND g.resolved_at IS NOT NULL AND g.decision <> 'out_of_scope'"
    )
    columns = "grievance_id, kind, public, actor_label, by_complainant, body, payload, status_after, created_at"
    cursor.execute(
        f"INSERT INTO grievances_caseevent ({columns}) "
        f"SELECT id, 'accepted', true, 'Complainant', true, '', '{{}}'::jsonb, 'closed', "
        f"resolved_at + interval '2 days' {decided} AND g.id %% 5 <> 0",
        [*agencies, first_id],
    )
    cursor.execute(
        f"INSERT INTO grievances_caseevent ({columns}) "
        f"SELECT id, 'appealed', true, 'Complainant', true, '', '{{}}'::jsonb, 'appealed', "
        f"resolved_at + interval '5 days' {decided} AND g.id %% 5 = 0",
        [*agencies, first_id],
    )
    cursor.execute(
        f"INSERT INTO grievances_caseevent ({columns}) "
        f"SELECT id, 'appeal_decided', true, 'Agency', false, '', "
        f"jsonb_build_object('upheld', g.id %% 3 = 0), 'closed', resolved_at + interval '20 days' "
        f"{decided} AND g.id %% 5 = 0",
        [*agencies, first_id],
    )
    for index, org in enumerate(orgs):
        receiver = orgs[(index + 1) % len(orgs)]
        slow = 1 + (index % 4) * 2  # some receiving agencies answer slower than others
        cursor.execute(
            "INSERT INTO grievances_referral (grievance_id, from_agency_id, to_agency_id, reasons, status_before, "
            "outcome, outcome_reasons, created_at, decided_at) "
            "SELECT id, %s, %s, 'Bench referral', 'in_progress', "
            "CASE WHEN g.id %% 4 = 0 THEN 'returned' ELSE 'accepted' END, '', "
            "lodged_at + interval '1 day', "
            "lodged_at + interval '1 day' + make_interval(days => %s + (g.id %% 10)::int) "
            "FROM grievances_grievance g WHERE g.agency_id = %s AND g.id >= %s AND g.id %% 17 = 0",
            [org.pk, receiver.pk, slow, org.pk, first_id],
        )
    cursor.execute("ANALYZE grievances_referral")


def case_with_timeline(officer, agency, events: int = 30):
    """One open case of the officer's agency with ``events`` timeline events, made through the services."""
    from grievances import services
    from grievances.models import CaseEvent, Grievance

    grievance = (
        Grievance.objects.filter(agency=agency, status="in_progress", description__startswith="My bench-timeline")
        .order_by("pk")
        .first()
    )
    if grievance is None:
        grievance = services.grievance_lodge(
            category=Grievance.objects.filter(agency=agency).first().category,
            description="My bench-timeline case: the payment did not arrive.",
            contact_preference="none",
            anonymous=True,
        ).grievance
        services.grievance_start(grievance=grievance, user=officer, version=grievance.version)
    grievance.refresh_from_db()
    while CaseEvent.objects.filter(grievance=grievance).count() < events:
        services.grievance_add_note(grievance=grievance, user=officer, body="Checked again.", version=grievance.version)
        grievance.refresh_from_db()
    return grievance
