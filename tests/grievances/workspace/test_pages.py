"""The workspace pages: the queue, the staff case page, actions through forms, intake, the access log."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grievances import services
from grievances.models import CaseAccess, CaseEvent, Grievance
from grievances.workflow import Status
from grievances.workspace.views import SLIP_SESSION_KEY
from portal.models import Membership
from tests.bidi import assert_isolated
from tests.factories import HOSTILE
from tests.grievances.workspace.conftest import lodge, member


def queue_url(agency, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/workspace/queue/{agency.slug}/" + (f"?{query}" if query else "")


def count_queries(client, url, *, fresh_counts=True):
    if fresh_counts:
        # Tab counts are cached until the agency's queue changes (after a
        # commit, which a test's transaction never reaches): count them anew.
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return len(queries), response


# --- the queue ------------------------------------------------------------------


def test_the_queue_issues_the_same_queries_for_10_rows_as_for_100(staff_client, officer, category, supervisor):
    client = staff_client(supervisor)
    cases = [lodge(category) for _ in range(10)]
    services.grievance_assign(grievance=cases[0], user=supervisor, assignee=officer, version=1)
    ten, response = count_queries(client, queue_url(category.parent.agency, per_page=100))
    assert response.content.count(b'scope="row"') == 10
    cases += [lodge(category) for _ in range(90)]
    services.grievance_assign(grievance=cases[50], user=supervisor, assignee=supervisor, version=1)
    hundred, response = count_queries(client, queue_url(category.parent.agency, per_page=100))
    assert response.content.count(b'scope="row"') == 100
    assert ten == hundred <= 14  # 12, and the supervisors' "Due for anonymisation" tab: its policies, its count


def test_tab_counts_are_kept_until_the_queue_changes(staff_client, officer, category, agency):

    from grievances.workspace import selectors

    lodge(category)
    client = staff_client(officer)
    counted, _response = count_queries(client, queue_url(agency))
    kept, _response = count_queries(client, queue_url(agency), fresh_counts=False)
    assert kept < counted  # no counting query (nor the at-risk horizon it needs)
    before = selectors.queue_version(agency.pk)
    grievance = lodge(category)  # this test's transaction never commits
    services.grievance_add_note(grievance=grievance, user=officer, body="x", version=grievance.version)
    assert selectors.queue_version(agency.pk) == before  # only after the commit


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_moves_the_queue_version_on(category, agency, officer):
    from grievances.workspace import selectors

    grievance = lodge(category)
    before = selectors.queue_version(agency.pk)
    services.grievance_add_note(grievance=grievance, user=officer, body="x", version=grievance.version)
    assert selectors.queue_version(agency.pk) == before + 1


def test_the_queue_is_sorted_most_urgent_first_and_escapes_everything(staff_client, officer, category, agency):
    late = lodge(category)
    soon = lodge(category)
    Grievance.objects.filter(pk=soon.pk).update(due_on="2020-01-01")
    response = staff_client(officer).get(queue_url(agency))
    html = response.content.decode()
    assert html.index(soon.reference) < html.index(late.reference)
    assert "<script>alert" not in html
    assert response["Cache-Control"].startswith("no-store")


def test_tabs_count_and_filter(staff_client, officer, supervisor, category, agency):
    mine = lodge(category)
    services.grievance_assign(grievance=mine, user=officer, assignee=officer, version=1)
    lodge(category)
    response = staff_client(officer).get(queue_url(agency, tab="mine"))
    html = response.content.decode()
    assert "Mine (1)" in html and "Unassigned (1)" in html and "All open (2)" in html
    assert html.count('scope="row"') == 1 and mine.reference in html


def test_search_by_reference_and_by_words(staff_client, officer, category, agency):
    wallet = lodge(category, description="The e-wallet transfer never came")
    other = lodge(category, description="Rude staff at the counter")
    client = staff_client(officer)
    response = client.get(queue_url(agency, q=wallet.reference.lower()))
    assert response.status_code == 302 and response["Location"] == f"/workspace/cases/{wallet.reference}/"
    html = client.get(queue_url(agency, q="counter")).content.decode()
    assert other.reference in html and wallet.reference not in html


def test_bad_filters_are_reported_in_an_error_summary(staff_client, officer, agency, category):
    response = staff_client(officer).get(queue_url(agency, lodged_from="2027-05-02", lodged_to="2027-05-01"))
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()


@pytest.mark.parametrize("page", ["99999999999999999999999", "9223372036854775808", "-5", "%00", "1e9", "x" * 5000])
def test_a_crafted_page_number_shows_a_queue_page_not_an_error(staff_client, officer, agency, category, page):
    lodge(category)
    response = staff_client(officer).get(queue_url(agency, page=page))
    assert response.status_code == 200


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "%00", "2026-02-30"])
def test_a_date_filter_out_of_any_sensible_range_is_reported_in_plain_words(staff_client, officer, agency, day):
    response = staff_client(officer).get(queue_url(agency, lodged_from=day, lodged_to=day))
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()


def test_an_officer_cannot_open_another_agencys_queue(staff_client, outsider_officer, agency):
    assert staff_client(outsider_officer).get(queue_url(agency)).status_code == 404


def test_an_officer_of_one_agency_goes_straight_to_its_queue(staff_client, officer, agency):
    response = staff_client(officer).get("/workspace/")
    assert response.status_code == 302 and response["Location"] == queue_url(agency)


def test_an_officer_of_several_agencies_chooses_from_the_list(staff_client, officer, agency, other_agency):
    member(other_agency, Membership.Role.SUPERVISOR, user=officer)
    response = staff_client(officer).get("/workspace/")
    assert response.status_code == 200
    html = response.content.decode()
    assert queue_url(agency) in html and queue_url(other_agency) in html


def test_a_person_without_a_staff_role_is_refused(staff_client, beneficiary):
    assert staff_client(beneficiary).get("/workspace/").status_code == 403


def test_sensitive_cases_are_missing_from_queue_counts_and_search_for_non_focal_staff(
    staff_client, sensitive_category, other_agency, outsider_officer, other_focal_point
):
    hidden = lodge(sensitive_category, description="harassment at the office")
    url = queue_url(other_agency, q="harassment")
    html = staff_client(outsider_officer).get(url).content.decode()
    assert hidden.reference not in html and "All open (0)" in html
    assert staff_client(outsider_officer).get(f"/workspace/cases/{hidden.reference}/").status_code == 404
    html = staff_client(other_focal_point).get(queue_url(other_agency)).content.decode()
    assert hidden.reference in html and "All open (1)" in html


def test_a_sensitive_narrative_is_sealed_so_its_words_are_not_searchable_even_for_focal_points(
    staff_client, sensitive_category, other_agency, other_focal_point
):
    hidden = lodge(sensitive_category, description="harassment at the office")
    html = staff_client(other_focal_point).get(queue_url(other_agency, q="harassment")).content.decode()
    assert hidden.reference not in html
    html = staff_client(other_focal_point).get(queue_url(other_agency)).content.decode()
    assert hidden.reference in html


def test_bulk_assign_from_the_queue(staff_client, supervisor, officer, category, agency):
    first, second = lodge(category), lodge(category)
    response = staff_client(supervisor).post(
        f"/workspace/queue/{agency.slug}/assign/",
        {"assignee": officer.pk, "cases": [f"{first.pk}:1", f"{second.pk}:9"]},
    )
    assert response.status_code == 302
    assert Grievance.objects.get(pk=first.pk).assignee == officer
    assert Grievance.objects.get(pk=second.pk).assignee is None  # stale row refused


# --- the case page -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["officer", "supervisor", "outsider_officer"])
def test_guessing_an_address_gives_404_outside_the_agency(request, staff_client, case, persona):
    user = request.getfixturevalue(persona)
    status = staff_client(user).get(f"/workspace/cases/{case.reference}/").status_code
    assert status == (404 if persona == "outsider_officer" else 200)


def test_the_case_page_costs_at_most_15_queries_whatever_the_timeline(staff_client, case, officer, supervisor):
    client = staff_client(supervisor)
    few, _response = count_queries(client, f"/workspace/cases/{case.reference}/")
    for number in range(30):
        services.grievance_add_note(grievance=case, user=officer, body=f"{HOSTILE} {number}", version=number + 1)
    many, response = count_queries(client, f"/workspace/cases/{case.reference}/")
    assert many == few <= 15
    assert response.content.decode().count('class="event ') >= 32


def test_opening_a_case_writes_an_access_record_supervisors_can_read(staff_client, case, officer, supervisor):
    staff_client(officer).get(f"/workspace/cases/{case.reference}/")
    assert CaseAccess.objects.filter(grievance=case, user=officer).count() == 1
    assert staff_client(officer).get(f"/workspace/cases/{case.reference}/access/").status_code == 404
    response = staff_client(supervisor).get(f"/workspace/cases/{case.reference}/access/")
    assert response.status_code == 200 and officer.email in response.content.decode()


def test_internal_notes_show_to_staff_and_never_to_the_complainant(staff_client, client, case, officer):
    services.grievance_add_note(grievance=case, user=officer, body="internal only", version=1)
    assert "internal only" in staff_client(officer).get(f"/workspace/cases/{case.reference}/").content.decode()
    public = case.events.filter(public=True).values_list("body", flat=True)
    assert "internal only" not in public


@pytest.mark.parametrize(
    ("fields", "shown_to_officer"),
    [
        ({}, True),
        ({"confidentiality": Grievance.Confidentiality.CONFIDENTIAL}, False),
    ],
)
def test_a_confidential_identity_is_shown_to_focal_points_only(
    staff_client, category, officer, focal_point, fields, shown_to_officer
):
    grievance = lodge(category, contact_name="Malee Srisuk", **fields)
    html = staff_client(officer).get(f"/workspace/cases/{grievance.reference}/").content.decode()
    assert ("Malee Srisuk" in html) is shown_to_officer
    assert ("+66 81 234 5678" in html) is shown_to_officer
    html = staff_client(focal_point).get(f"/workspace/cases/{grievance.reference}/").content.decode()
    assert "Malee Srisuk" in html


def test_a_member_identity_withheld_from_the_agency_stays_withheld(staff_client, category, officer, union, union_rep):
    grievance = services.grievance_lodge(
        category=category,
        description="Riders deactivated",
        contact_preference="account",
        lodged_by=union_rep,
        lodged_by_organization=union,
        member_name="Somchai Rider",
        member_identity_withheld=True,
        consent_given=True,
    ).grievance
    html = staff_client(officer).get(f"/workspace/cases/{grievance.reference}/").content.decode()
    assert "Somchai Rider" not in html and "kept confidential" in html


def test_an_action_through_the_form_and_a_stale_one_keeps_the_typed_text(staff_client, case, officer, second_officer):
    url = f"/workspace/cases/{case.reference}/"
    response = staff_client(officer).post(url + "note/", {"note-version": 1, "note-body": "first"})
    assert response.status_code == 302
    response = staff_client(second_officer).post(
        url + "message/", {"message-version": 1, "message-body": "my long careful message"}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "This case changed — reload" in html and "my long careful message" in html
    assert not case.events.filter(kind=CaseEvent.Kind.MESSAGE_TO_COMPLAINANT).exists()


def test_a_refused_action_says_why(staff_client, case, officer):
    client = staff_client(officer)
    response = client.post(f"/workspace/cases/{case.reference}/close/", {"close-version": 1})
    assert response.status_code == 302
    assert "cannot be done while the grievance is “Acknowledged”" in client.get(response["Location"]).content.decode()
    response = client.post(f"/workspace/cases/{case.reference}/reopen/", {"reopen-version": 1, "reopen-reason": "x"})
    assert "You cannot do this on this case." in client.get(response["Location"]).content.decode()
    assert Grievance.objects.get(pk=case.pk).status == Status.ACKNOWLEDGED


def test_the_referring_agency_reads_but_cannot_act(staff_client, case, officer, outsider_officer, other_agency):
    services.grievance_refer(grievance=case, user=officer, to_agency=other_agency, reasons="theirs", version=1)
    html = staff_client(outsider_officer).get(f"/workspace/cases/{case.reference}/").content.decode()
    assert "Accept the referral" in html
    html = staff_client(officer).get(f"/workspace/cases/{case.reference}/").content.decode()
    assert "You can read this case but not act on it" in html
    queue = staff_client(outsider_officer).get(queue_url(other_agency, tab="referred_in")).content.decode()
    assert case.reference in queue and "Referred to us (1)" in queue


# --- assisted intake ---------------------------------------------------------------------


def test_assisted_intake_gives_a_printable_slip_with_the_pin_once(staff_client, officer, category):
    client = staff_client(officer)
    assert client.get("/workspace/intake/").status_code == 200
    response = client.post(
        "/workspace/intake/",
        {
            "channel": "in_person",
            "category": category.pk,
            "description": f"Came to the office. {HOSTILE}",
            "contact_name": "Lan",
            "contact_phone": "+66 81 111 2222",
            "contact_preference": "phone",
            "confidentiality": "standard",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    grievance = Grievance.objects.get(recorded_by=officer)
    assert grievance.channel == "in_person"
    stored = client.session[SLIP_SESSION_KEY][grievance.reference]
    slip = client.get(response["Location"]).content.decode()
    assert grievance.reference in slip and 'data-testid="pin"' in slip
    pin = re.search(r'data-testid="pin">(\d{6})<', slip).group(1)
    assert pin not in stored  # waited sealed in the session, not in clear
    assert 'data-testid="pin"' not in client.get(response["Location"]).content.decode()


def test_the_slip_is_refused_to_a_recorder_who_has_moved_to_another_agency(
    staff_client, officer, category, other_agency
):
    from portal.models import Membership

    client = staff_client(officer)
    data = {
        "channel": "phone",
        "category": category.pk,
        "description": "By phone.",
        "contact_preference": "none",
        "confidentiality": "standard",
    }
    slip_url = client.post("/workspace/intake/", data)["Location"]
    # Still staff, but of another agency: the case is outside the read gate now.
    Membership.objects.filter(user=officer).update(organization=other_agency)
    assert client.get(slip_url).status_code == 404
    assert 'data-testid="pin"' not in client.get(slip_url).content.decode()


def test_intake_errors_are_summarised(staff_client, officer, category):
    response = staff_client(officer).post("/workspace/intake/", {"channel": "phone"})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()


def test_a_reference_the_officer_may_not_see_finds_nothing(staff_client, outsider_officer, category, other_agency):
    hidden = lodge(category)
    response = staff_client(outsider_officer).get(queue_url(other_agency, q=hidden.reference))
    assert response.status_code == 200
    assert f'href="/workspace/cases/{hidden.reference}/"' not in response.content.decode()
    assert "0 cases" in response.content.decode()


def test_the_case_page_stays_within_15_queries_with_every_link_set(staff_client, category, officer, supervisor):
    original = lodge(category)
    recorded = services.grievance_lodge_assisted(
        user=officer,
        channel=Grievance.Channel.PAPER,
        category=category,
        description=HOSTILE,
        contact_preference=Grievance.Contact.NONE,
    ).grievance
    services.grievance_mark_duplicate(grievance=recorded, user=officer, original=original, version=1)
    queries, response = count_queries(staff_client(supervisor), f"/workspace/cases/{recorded.reference}/")
    assert queries <= 15
    html = response.content.decode()
    assert original.reference in html and "recorded by" in html


def test_the_queue_and_the_staff_case_page_isolate_the_direction_of_peoples_text(staff_client, case, officer, agency):
    officer.display_name = "Officer-name"
    officer.save(update_fields=["display_name"])
    services.grievance_assign(grievance=case, user=officer, assignee=officer, version=case.version)
    case.refresh_from_db()
    services.grievance_add_note(grievance=case, user=officer, body="Note-words", version=case.version)
    client = staff_client(officer)
    page = client.get(f"/workspace/cases/{case.reference}/").content.decode()
    for needle in ("My payment did not arrive.", "Note-words", "Malee", "Officer-name"):
        assert_isolated(page, needle)
    queue = client.get(queue_url(agency)).content.decode()
    assert_isolated(queue, "Officer-name")
