"""The case outcome letter: what it says, what it never says, who may get it, and its verification code."""

import io

import pypdf
import pytest

from grievances import letters, services
from grievances.models import Grievance, OutcomeLetter
from grievances.selectors import case_for_staff
from portal.models import Membership
from tests.bidi import assert_isolated
from tests.factories import HOSTILE, MembershipFactory, UserFactory

THAI = "ผู้รับประโยชน์ไม่ได้รับเงินโอนเดือนนี้"
VIETNAMESE = "Người thụ hưởng chưa nhận được tiền trợ cấp tháng này."
KHMER = "ខ្ញុំមិនបានទទួលប្រាក់ឧបត្ថម្ភទេ"
LAO = "ຂ້ອຍບໍ່ໄດ້ຮັບເງິນຊ່ວຍເຫຼືອ"
MYANMAR = "ကျွန်ုပ်သည် ထောက်ပံ့ငွေ မရရှိပါ"
INTERNAL = "INTERNAL-NOTE: the supervisor thinks the complainant exaggerates"
COMPLAINANT_NAME = "Malee Srisuk"
REASONS = "The transfer failed because the wallet number was mistyped by our office."
REMEDY = "The missing payment will be paid within ten working days."


@pytest.fixture(autouse=True)
def _no_second_factor(monkeypatch):
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return text.replace("\n", "")


def embedded_fonts(data: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]).split("+", 1)[-1].replace("-", ""))
            for descendant in font.get("/DescendantFonts", []):
                names.add(str(descendant.get_object()["/BaseFont"]).split("+", 1)[-1].replace("-", ""))
    return names


def decide(grievance: Grievance, officer, *, decision=Grievance.Decision.UPHELD) -> Grievance:
    """Take a case through the agency's services to a decision, with an internal note on the way."""
    services.grievance_start(grievance=grievance, user=officer, version=grievance.version)
    grievance.refresh_from_db()
    services.grievance_add_note(grievance=grievance, user=officer, body=INTERNAL, version=grievance.version)
    grievance.refresh_from_db()
    services.grievance_message(
        grievance=grievance,
        user=officer,
        body=f"We are checking the payment records. {HOSTILE}",
        version=grievance.version,
    )
    grievance.refresh_from_db()
    services.grievance_resolve(
        grievance=grievance,
        user=officer,
        decision=decision,
        reasons=REASONS,
        remedy=REMEDY if decision != Grievance.Decision.NOT_UPHELD else "",
        version=grievance.version,
    )
    grievance.refresh_from_db()
    return grievance


def lodge(category, complainant, **fields):
    defaults = {
        "description": f"{THAI}\n\n{VIETNAMESE}\n\n{KHMER} {LAO} {MYANMAR}\n\n{HOSTILE}",
        "contact_preference": Grievance.Contact.ACCOUNT,
        "complainant": complainant,
        "contact_name": COMPLAINANT_NAME,
    }
    defaults.update(fields)
    return services.grievance_lodge(category=category, **defaults).grievance


@pytest.fixture
def decided(category, beneficiary, officer):
    return decide(lodge(category, beneficiary), officer)


@pytest.fixture
def confidential(category, beneficiary, officer):
    grievance = lodge(category, beneficiary, confidentiality=Grievance.Confidentiality.CONFIDENTIAL)
    return decide(grievance, officer, decision=Grievance.Decision.NOT_UPHELD)


# --- what the letter says ------------------------------------------------------------


def test_the_letter_carries_reference_decision_and_the_complainants_words_intact(client, decided, beneficiary):
    client.force_login(beneficiary)
    response = client.get(f"/grievances/{decided.reference}/outcome.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert decided.reference in text
    assert "Upheld" in text
    assert REASONS in text.replace("\n", " ")
    assert THAI in flat(text)
    assert VIETNAMESE in text.replace("\n", " ")
    assert COMPLAINANT_NAME in text  # standard confidentiality: the letter is addressed to them
    assert decided.appeal_due.strftime("%-d %B %Y") in text  # by when to appeal
    assert "<script>" in text  # hostile text printed as text


def test_the_letter_is_a_tagged_pdf_with_language_and_title(decided):
    data = letters.outcome_letter_for(decided).pdf
    reader = pypdf.PdfReader(io.BytesIO(bytes(data)))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert decided.reference in reader.metadata.title
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_the_embedded_fonts_cover_every_script_the_letter_uses(decided):
    fonts = embedded_fonts(bytes(letters.outcome_letter_for(decided).pdf))
    for family in ("NotoSans", "NotoSansThai", "NotoSansKhmer", "NotoSansLao", "NotoSansMyanmar", "NotoColorEmoji"):
        assert any(name == family or name.startswith(family + "Bold") for name in fonts), (family, fonts)


def test_internal_notes_never_reach_the_letter(decided):
    text = pdf_text(bytes(letters.outcome_letter_for(decided).pdf))
    assert "INTERNAL-NOTE" not in text
    assert "exaggerates" not in text
    assert "We are checking the payment records." in text  # the public message is there


def test_a_confidential_complainants_identity_never_reaches_the_letter(client, confidential, officer):
    client.force_login(officer)
    response = client.get(f"/workspace/cases/{confidential.reference}/outcome.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert COMPLAINANT_NAME not in text
    assert "malee@example.org" not in text
    assert "Not upheld" in text


def test_an_anonymous_complaint_names_nobody(category, officer):
    grievance = services.grievance_lodge(
        category=category,
        description=THAI,
        contact_preference=Grievance.Contact.NONE,
        anonymous=True,
        contact_name="Should Not Print",
    ).grievance
    grievance = decide(grievance, officer)
    assert "Should Not Print" not in pdf_text(bytes(letters.outcome_letter_for(grievance).pdf))


def test_the_user_text_cannot_make_the_renderer_fetch_anything(category, beneficiary, officer, monkeypatch):
    from portal.lib import pdf

    fetchers = []
    original = pdf.AssetFetcher.__init__

    def recording_init(self):
        original(self)
        fetchers.append(self)

    monkeypatch.setattr(pdf.AssetFetcher, "__init__", recording_init)
    hostile = (
        '<img src="file:///etc/passwd"> <div style="background: url(http://127.0.0.1:1/)">x</div>'
        " <style>@import url(http://127.0.0.1:1/x.css);</style> @import url(http://127.0.0.1:1/y.css);"
    )
    grievance = decide(lodge(category, beneficiary, description=hostile), officer)
    text = pdf_text(bytes(letters.outcome_letter_for(grievance).pdf))
    assert "file:///etc/passwd" in text  # printed, not fetched
    [fetcher] = fetchers
    assert fetcher.refused == []
    assert all(url.endswith(("/static/css/pdf.css", "/static/css/pdf-scripts.css")) for url in fetcher.served)


# --- no decision, no letter; who may have it -------------------------------------------------


def test_there_is_no_letter_before_a_decision(client, category, beneficiary):
    grievance = lodge(category, beneficiary)
    client.force_login(beneficiary)
    assert client.get(f"/grievances/{grievance.reference}/outcome.pdf").status_code == 404


def test_the_complainant_with_reference_and_pin_gets_the_letter(client, category, officer):
    lodged = services.grievance_lodge(
        category=category, description=VIETNAMESE, contact_preference=Grievance.Contact.NONE, anonymous=True
    )
    grievance = decide(lodged.grievance, officer)
    assert client.get(f"/grievances/{grievance.reference}/outcome.pdf").status_code == 404
    client.post("/grievances/track/", {"reference": grievance.reference, "pin": lodged.pin})
    assert client.get(f"/grievances/{grievance.reference}/outcome.pdf").status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "other_complainant", "officer_of_other_agency"])
@pytest.mark.parametrize("route", ["/grievances/{ref}/outcome.pdf", "/workspace/cases/{ref}/outcome.pdf"])
def test_someone_without_access_gets_404(client, decided, other_agency, who, route):
    if who == "other_complainant":
        client.force_login(UserFactory())
    elif who == "officer_of_other_agency":
        client.force_login(MembershipFactory(organization=other_agency, role=Membership.Role.CASE_OFFICER).user)
    assert client.get(route.format(ref=decided.reference)).status_code == 404


def test_the_complainant_cannot_use_the_staff_route(client, decided, beneficiary):
    client.force_login(beneficiary)
    assert client.get(f"/workspace/cases/{decided.reference}/outcome.pdf").status_code == 404


def test_staff_get_the_same_letter_and_the_opening_is_recorded(client, decided, officer, beneficiary):
    client.force_login(beneficiary)
    complainant_copy = client.get(f"/grievances/{decided.reference}/outcome.pdf").content
    client.force_login(officer)
    staff_copy = client.get(f"/workspace/cases/{decided.reference}/outcome.pdf").content
    assert staff_copy == complainant_copy
    assert decided.accesses.filter(user=officer, what="outcome letter").exists()


def test_both_case_pages_link_to_the_letter_once_decided(client, decided, beneficiary, officer):
    client.force_login(beneficiary)
    assert f"/grievances/{decided.reference}/outcome.pdf" in client.get(decided.get_absolute_url()).text
    client.force_login(officer)
    page = client.get(f"/workspace/cases/{decided.reference}/").text
    assert f"/workspace/cases/{decided.reference}/outcome.pdf" in page


# --- stored until the public timeline changes -----------------------------------------------


def test_the_letter_is_stored_and_served_again_without_rendering(
    decided, officer, monkeypatch, django_assert_max_num_queries
):
    first = letters.outcome_letter_for(decided)

    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(letters, "letter_render", must_not_render)
    # An internal note does not change the public timeline: same letter.
    services.grievance_add_note(grievance=decided, user=officer, body="n", version=decided.version)
    decided.refresh_from_db()
    with django_assert_max_num_queries(3):
        again = letters.outcome_letter_for(decided)
    assert again.pk == first.pk


def test_a_new_public_event_issues_a_new_letter(decided, beneficiary):
    first = letters.outcome_letter_for(decided)
    services.grievance_accept(grievance=decided, user=beneficiary)
    decided.refresh_from_db()
    second = letters.outcome_letter_for(decided)
    assert second.pk != first.pk and second.code != first.code
    assert "Decision accepted" in pdf_text(bytes(second.pdf))
    assert OutcomeLetter.objects.filter(grievance=decided).count() == 2


def test_the_staff_page_finds_the_case_through_the_read_gate(decided, officer):
    assert case_for_staff(officer, decided.reference) is not None


# --- verification ---------------------------------------------------------------------------


def test_the_verification_page_accepts_the_real_code_and_rejects_a_changed_one(client, decided):
    letter = letters.outcome_letter_for(decided)
    printed = letters.grouped_code(letter.code)
    assert printed.replace(" ", "") in pdf_text(bytes(letter.pdf)).replace(" ", "").replace("\n", "")

    response = client.get("/grievances/verify/", {"code": printed.upper()})
    assert response.status_code == 200
    assert "genuine" in response.text
    assert decided.reference in response.text
    assert "Upheld" in response.text

    changed = ("0" if letter.code[0] != "0" else "1") + letter.code[1:]
    response = client.get("/grievances/verify/", {"code": changed})
    assert response.status_code == 404
    assert decided.reference not in response.text


def test_the_verification_page_reveals_nothing_the_letter_does_not_say(client, decided):
    letter = letters.outcome_letter_for(decided)
    page = client.get("/grievances/verify/", {"code": letter.code}).text
    for secret in (THAI, VIETNAMESE, REASONS, REMEDY, COMPLAINANT_NAME, "malee@example.org", INTERNAL):
        assert secret not in page


def test_a_code_cannot_be_made_without_the_sites_key(decided, settings):
    letter = letters.outcome_letter_for(decided)
    html_code = letters.letter_html(decided, issued_at=letter.issued_at, language=letter.language)[1]
    assert html_code == letter.code  # the same content and key give the same code
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert letters.letter_html(decided, issued_at=letter.issued_at, language=letter.language)[1] != letter.code


def test_the_verification_form_works_without_a_code(client, db):
    response = client.get("/grievances/verify/")
    assert response.status_code == 200
    assert 'name="code"' in response.text


def test_a_reopened_case_has_no_letter_while_it_is_looked_at_again(client, decided, beneficiary, agency):
    supervisor = MembershipFactory(organization=agency, role=Membership.Role.SUPERVISOR).user
    services.grievance_reopen(grievance=decided, user=supervisor, reason="New evidence.", version=decided.version)
    client.force_login(beneficiary)
    assert client.get(f"/grievances/{decided.reference}/outcome.pdf").status_code == 404
    assert "outcome.pdf" not in client.get(decided.get_absolute_url()).text


def test_an_older_letter_still_verifies_as_printed_after_the_case_is_decided_again(client, decided, agency, officer):
    old = letters.outcome_letter_for(decided)
    supervisor = MembershipFactory(organization=agency, role=Membership.Role.SUPERVISOR).user
    services.grievance_reopen(grievance=decided, user=supervisor, reason="New evidence.", version=decided.version)
    decided.refresh_from_db()
    services.grievance_resolve(
        grievance=decided,
        user=officer,
        decision=Grievance.Decision.NOT_UPHELD,
        reasons="On review, the payment had arrived.",
        version=decided.version,
    )
    decided.refresh_from_db()
    new = letters.outcome_letter_for(decided)
    assert new.code != old.code and "Not upheld" in pdf_text(bytes(new.pdf))
    page = client.get("/grievances/verify/", {"code": old.code}).text
    assert "Upheld" in page and "Not upheld" not in page  # the decision the old letter printed
    assert "Not upheld" in client.get("/grievances/verify/", {"code": new.code}).text


def test_a_bidi_override_in_the_description_cannot_reorder_the_letter(category, beneficiary, officer):
    grievance = lodge(category, beneficiary, description="I was paid \u202e0001 THB\u202c only, not 3000 THB.")
    assert "\u202e" not in grievance.description
    text = pdf_text(bytes(letters.outcome_letter_for(decide(grievance, officer)).pdf))
    assert "I was paid 0001 THB only, not 3000 THB." in text.replace("\n", " ")
    assert "BHT 1000" not in text


def test_the_letter_isolates_every_piece_of_the_complainants_and_officers_text(category, beneficiary, officer):
    grievance = decide(lodge(category, beneficiary, description="Marker-description"), officer)
    html, _code = letters.letter_html(grievance)
    for needle in ("Marker-description", REASONS, REMEDY, "We are checking the payment records.", COMPLAINANT_NAME):
        assert_isolated(html, needle)
