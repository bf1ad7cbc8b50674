"""Personal data is sealed at rest: a dump of the database, or a copy of the files, shows none of it."""

import subprocess
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from grievances.models import Attachment, CaseEvent, Grievance
from grievances.services import grievance_lodge, grievance_reply
from portal.lib import datakeys
from portal.lib.datakeys import DEVELOPMENT_KEYS, SealedValueError
from portal.lib.encrypted import Ciphertext
from portal.lib.uploads import clean_upload, get_private_storage, open_private
from tests.fixtures.uploads import pdf_bytes, uploaded

PHONE = "+66 81 234 5678"
NAME = "Somchai Privacyname"
EMAIL = "somchai.privacy@example.org"
MEMBER = "Malee Membername"
STORY = "The officer asked me for a bribe of 3000 baht behind the district office"
REPLY = "He telephoned me again on Friday evening and threatened me"
FILE_MARKER = b"EVIDENCE-MARKER-8842"
RESPONDENT = "Pranee Sealwood"

OLD = "old:" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE="  # 32 x "A"
NEW = "new:" + "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="  # 32 x "B"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def lodge_sensitive(sensitive_category, **extra):
    return grievance_lodge(
        category=sensitive_category,
        description=STORY,
        contact_preference=Grievance.Contact.PHONE,
        contact_name=NAME,
        contact_phone=PHONE,
        contact_email=EMAIL,
        **extra,
    ).grievance


def test_contact_details_are_sealed_in_the_database_and_read_back_in_clear(category):
    grievance = grievance_lodge(
        category=category,
        description="My payment is late",
        contact_preference=Grievance.Contact.PHONE,
        contact_name=NAME,
        contact_phone=PHONE,
        contact_email=EMAIL,
    ).grievance
    for column in ("contact_name", "contact_phone", "contact_email"):
        stored = raw("grievances_grievance", column, grievance.pk)
        assert stored.startswith("sealed:1:dev:")
        assert NAME not in stored and PHONE not in stored and EMAIL not in stored
    fresh = Grievance.objects.get(pk=grievance.pk)
    assert (fresh.contact_name, fresh.contact_phone, fresh.contact_email) == (NAME, PHONE, EMAIL)


def test_an_empty_contact_field_stays_empty_so_it_can_still_be_filtered(lodged):
    assert raw("grievances_grievance", "contact_phone", lodged.grievance.pk) == ""
    assert Grievance.objects.filter(contact_phone="", pk=lodged.grievance.pk).exists()


def test_a_sensitive_narrative_and_its_messages_are_sealed_but_an_ordinary_one_stays_searchable(
    category, sensitive_category
):
    sensitive = lodge_sensitive(sensitive_category)
    event = grievance_reply(grievance=sensitive, body=REPLY)
    assert sensitive.narrative_sealed
    assert raw("grievances_grievance", "description", sensitive.pk).startswith("sealed:1:")
    assert raw("grievances_caseevent", "body", event.pk).startswith("sealed:1:")
    assert Grievance.objects.get(pk=sensitive.pk).description == STORY
    assert CaseEvent.objects.get(pk=event.pk).body == REPLY

    ordinary = grievance_lodge(
        category=category, description=STORY, contact_preference=Grievance.Contact.NONE, anonymous=True
    ).grievance
    assert not ordinary.narrative_sealed
    assert raw("grievances_grievance", "description", ordinary.pk) == STORY


def test_a_clear_text_that_looks_sealed_is_sealed_too_and_reads_back_unchanged(category):
    hostile = "sealed:1:dev:not-really"
    grievance = grievance_lodge(
        category=category, description=hostile, contact_preference=Grievance.Contact.NONE, anonymous=True
    ).grievance
    assert raw("grievances_grievance", "description", grievance.pk) != hostile
    assert Grievance.objects.get(pk=grievance.pk).description == hostile


def test_an_attachment_is_sealed_on_disk_and_served_in_clear(sensitive_category, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    upload = clean_upload(uploaded("evidence.pdf", pdf_bytes(b"(" + FILE_MARKER + b")")))
    assert FILE_MARKER in upload.content  # the test means something only if the cleaned file holds it
    grievance = lodge_sensitive(sensitive_category, attachments=[upload])
    attachment = Attachment.objects.get(grievance=grievance)
    on_disk = (tmp_path / "private" / attachment.storage_name).read_bytes()
    assert FILE_MARKER not in on_disk
    assert open_private(attachment.storage_name).read() == upload.content


def test_a_value_altered_in_the_database_is_refused_not_misread(category):
    token = datakeys.seal_text("hello")
    altered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(SealedValueError):
        datakeys.open_text(altered)


# --- rotation ------------------------------------------------------------------------


def test_after_a_new_key_old_values_stay_readable_until_rotation_moves_them(sensitive_category, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.SUARA_DATA_KEYS = OLD
    upload = clean_upload(uploaded("evidence.pdf", pdf_bytes(b"(" + FILE_MARKER + b")")))
    grievance = lodge_sensitive(sensitive_category, attachments=[upload])
    assert raw("grievances_grievance", "contact_phone", grievance.pk).startswith("sealed:1:old:")

    settings.SUARA_DATA_KEYS = f"{OLD},{NEW}"
    assert Grievance.objects.get(pk=grievance.pk).contact_phone == PHONE  # old key still readable
    newer = lodge_sensitive(sensitive_category)
    assert raw("grievances_grievance", "contact_phone", newer.pk).startswith("sealed:1:new:")  # new writes: new key

    call_command("rotate_keys", "--batch-size", "1", stdout=open("/dev/null", "w"))
    for column in ("contact_name", "contact_phone", "contact_email", "description"):
        assert raw("grievances_grievance", column, grievance.pk).startswith("sealed:1:new:")
    lodged_event = CaseEvent.objects.filter(grievance=grievance).exclude(body="").first()
    if lodged_event is not None:
        assert raw("grievances_caseevent", "body", lodged_event.pk).startswith("sealed:1:new:")
    storage_name = Attachment.objects.get(grievance=grievance).storage_name
    assert datakeys.bytes_key_id((tmp_path / "private" / storage_name).read_bytes()) == "new"

    settings.SUARA_DATA_KEYS = NEW  # the old key retired
    fresh = Grievance.objects.get(pk=grievance.pk)
    assert (fresh.contact_name, fresh.contact_phone, fresh.description) == (NAME, PHONE, STORY)
    assert open_private(storage_name).read() == upload.content


def test_without_the_key_a_sealed_value_cannot_be_read(sensitive_category, settings):
    grievance = lodge_sensitive(sensitive_category)
    settings.SUARA_DATA_KEYS = NEW
    with pytest.raises(SealedValueError):
        Grievance.objects.get(pk=grievance.pk)


def test_rotation_run_twice_writes_nothing_the_second_time(sensitive_category, settings):
    lodge_sensitive(sensitive_category)
    settings.SUARA_DATA_KEYS = f"{DEVELOPMENT_KEYS},{NEW}"
    from portal.lib.rotation import rotate_keys

    first = rotate_keys(files=False)
    second = rotate_keys(files=False)
    assert first.rows >= 4 and second.rows == 0
    assert sum(second.remaining.values()) == 0


def test_a_copied_ciphertext_is_stored_as_it_is(lodged):
    token = datakeys.seal_text(PHONE)
    Grievance.objects.filter(pk=lodged.grievance.pk).update(contact_phone=Ciphertext(token))
    assert raw("grievances_grievance", "contact_phone", lodged.grievance.pk) == token


def test_rotate_keys_new_key_prints_a_pair_that_the_keyring_accepts(capsys):
    call_command("rotate_keys", "--new-key", "k2027")
    line = capsys.readouterr().out.strip()
    assert datakeys.parse_keys(line).current_id == "k2027"


# --- the dump ------------------------------------------------------------------------


def dump_database() -> str:
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        command = ["pg_dump", "--data-only", "--no-owner", "-d", settings_dict["NAME"]]
        if settings_dict.get("HOST"):
            command += ["-h", settings_dict["HOST"]]
        if settings_dict.get("PORT"):
            command += ["-p", str(settings_dict["PORT"])]
        if settings_dict.get("USER"):
            command += ["-U", settings_dict["USER"]]
        env = {"PGPASSWORD": settings_dict.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"}
        return subprocess.run(command, capture_output=True, text=True, check=True, env=env, timeout=120).stdout
    connection.ensure_connection()
    return "\n".join(connection.connection.iterdump())


def seed_consultation_response(home_page):
    """A paper response to a consultation under the respondent's name (sealed like a complainant's)."""
    from consultations.models import ConsultationIndexPage, Response
    from tests.factories import OrganizationFactory, ResponseFactory, consultation_page

    index = home_page.add_child(instance=ConsultationIndexPage(title="Consultations", slug="consultations-dump"))
    now = timezone.now()
    page = consultation_page(
        index, owner=OrganizationFactory(), opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=9)
    )
    return ResponseFactory(
        consultation=page, respondent=None, respondent_name=RESPONDENT, channel=Response.Channel.PAPER
    )


@pytest.mark.django_db(transaction=True)
def test_a_dump_of_the_database_shows_no_seeded_name_phone_email_or_sensitive_story(
    sensitive_category, home_page, tmp_path
):
    with override_settings(PRIVATE_MEDIA_ROOT=tmp_path / "private"):
        upload = clean_upload(uploaded("evidence.pdf", pdf_bytes(b"(" + FILE_MARKER + b")")))
        grievance = lodge_sensitive(sensitive_category, attachments=[upload], member_name=MEMBER)
        grievance_reply(grievance=grievance, body=REPLY)
        response = seed_consultation_response(home_page)
        dump = dump_database()
        assert grievance.reference in dump  # the dump is of the right database
        assert response.consultation.slug in dump
        for secret in (PHONE, NAME, EMAIL, MEMBER, STORY, REPLY, "bribe", "threatened", RESPONDENT, "Sealwood"):
            assert secret not in dump, secret
        files = [p.read_bytes() for p in (tmp_path / "private").rglob("*") if p.is_file()]
        assert files and all(FILE_MARKER not in data for data in files)
        assert get_private_storage().exists(Attachment.objects.get(grievance=grievance).storage_name)


def test_an_issued_letter_is_sealed_in_the_database_and_read_back_whole(lodged, settings):
    from grievances.models import OutcomeLetter

    pdf = b"%PDF-1.7 " + NAME.encode() + b" %%EOF"
    letter = OutcomeLetter.objects.create(
        grievance=lodged.grievance, state_key="1.1", language="en", code="c" * 64, pdf=pdf, pdf_sha256="0" * 64
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pdf FROM grievances_outcomeletter WHERE id = %s", [letter.pk])
        stored = bytes(cursor.fetchone()[0])
    assert NAME.encode() not in stored and datakeys.bytes_key_id(stored) == "dev"
    assert bytes(OutcomeLetter.objects.get(pk=letter.pk).pdf) == pdf
    settings.SUARA_DATA_KEYS = f"{DEVELOPMENT_KEYS},{NEW}"
    from portal.lib.rotation import rotate_keys

    assert rotate_keys(files=False).columns["grievances.OutcomeLetter.pdf"] == 1
    assert bytes(OutcomeLetter.objects.get(pk=letter.pk).pdf) == pdf
