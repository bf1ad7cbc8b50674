"""Live case streams: who may join which stream, what reaches it, catching up, and access that ends.

Every stream × role: the complainant's case stream (owner, PIN holder,
stranger, staff), the staff case stream (officer, focal point, outsider,
complainant) and the agency queue (officer, supervisor, outsider,
complainant). Sockets are driven through the real ASGI stack (origin check,
sessions, auth) with ``WebsocketCommunicator``.
"""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client
from django.utils import formats, timezone, translation

from grievances import services
from grievances.models import CaseAccess, CaseEvent, Category, Grievance
from portal.asgi import application
from portal.consumers import CLOSE_FORBIDDEN
from portal.models import Membership
from tests.factories import HOSTILE, MembershipFactory, UserFactory
from tests.languages import thirteen_languages

pytestmark = pytest.mark.django_db(transaction=True)


# --- helpers ------------------------------------------------------------------------


def cookie_of(client: Client) -> bytes:
    return f"{django_settings.SESSION_COOKIE_NAME}={client.cookies[django_settings.SESSION_COOKIE_NAME].value}".encode()


def signed_in(user) -> bytes:
    client = Client()
    client.force_login(user)
    return cookie_of(client)


def socket(path: str, *, cookie: bytes | None = None, origin: bytes = b"http://localhost") -> WebsocketCommunicator:
    headers = [(b"host", b"localhost"), (b"origin", origin)]
    if cookie is not None:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, path, headers=headers)


def run(scenario):
    return async_to_sync(scenario)()


async def connects(path: str, cookie: bytes | None, origin: bytes = b"http://localhost"):
    """(stays open, close code): a refused stream is accepted and then closed, so the browser sees the code."""
    communicator = socket(path, cookie=cookie, origin=origin)
    connected, code = await communicator.connect(timeout=5)
    if connected and not await communicator.receive_nothing(timeout=0.2):
        message = await communicator.receive_output()
        if message["type"] == "websocket.close":
            connected, code = False, message.get("code")
    await communicator.disconnect()
    return connected, code


async def receive(communicator, kind: str, timeout: float = 3.0) -> dict:
    """The next message of ``kind`` (presence and other kinds on the way are skipped)."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message.get("type") == kind:
            return message


async def receive_nothing_but(communicator, kinds=("presence",), timeout: float = 0.5) -> bool:
    """True when nothing other than ``kinds`` arrives within ``timeout``."""
    while not await communicator.receive_nothing(timeout=timeout):
        message = await communicator.receive_json_from()
        if message.get("type") not in kinds:
            return False
    return True


# --- personas and a case --------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_second_factor(monkeypatch):
    # As in the workspace tests: the second factor has tests of its own (and one below).
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: False)


@pytest.fixture
def supervisor(agency):
    return MembershipFactory(organization=agency, role=Membership.Role.SUPERVISOR).user


@pytest.fixture
def focal_point(agency):
    return MembershipFactory(organization=agency, role=Membership.Role.CASE_OFFICER, focal_point=True).user


@pytest.fixture
def outsider(other_agency):
    return MembershipFactory(organization=other_agency, role=Membership.Role.CASE_OFFICER).user


@pytest.fixture
def case(category, beneficiary):
    """A grievance lodged by a signed-in beneficiary, acknowledged by the agency."""
    lodged = services.grievance_lodge(
        category=category,
        description=f"My payment did not arrive. {HOSTILE}",
        contact_preference=Grievance.Contact.ACCOUNT,
        complainant=beneficiary,
    )
    return lodged


@pytest.fixture
def sensitive_case(agency, policy, beneficiary):
    theme = Category.objects.create(name="Harassment", agency=agency, sla_policy=policy, sensitive=True)
    category = Category.objects.create(parent=theme, name="Harassment at the office")
    return services.grievance_lodge(
        category=category,
        description="Harassed at the payment office.",
        contact_preference=Grievance.Contact.ACCOUNT,
        complainant=beneficiary,
    ).grievance


def fresh(grievance) -> Grievance:
    return Grievance.objects.get(pk=grievance.pk)


def note(grievance, officer, body="Internal: check the bank file"):
    g = fresh(grievance)
    return services.grievance_add_note(grievance=g, user=officer, body=body, version=g.version)


def ask(grievance, officer, body="Which e-wallet do you use?"):
    g = fresh(grievance)
    return services.grievance_request_information(grievance=g, user=officer, body=body, version=g.version)


def message(grievance, officer, body):
    g = fresh(grievance)
    return services.grievance_message(grievance=g, user=officer, body=body, version=g.version)


def case_path(grievance) -> str:
    return f"/ws/grievances/{grievance.reference}/"


def staff_path(grievance) -> str:
    return f"/ws/workspace/cases/{grievance.reference}/"


def queue_path(agency) -> str:
    return f"/ws/workspace/queue/{agency.slug}/"


# --- who may join: every stream × role ----------------------------------------------------


def test_the_complainants_stream_admits_the_owner_and_a_pin_holder_only(case, beneficiary, officer, union_rep):
    grievance = case.grievance
    pin_holder = Client()
    assert pin_holder.post("/grievances/track/", {"reference": grievance.reference, "pin": case.pin}).status_code == 302
    owner, holder = signed_in(beneficiary), cookie_of(pin_holder)
    stranger, staff = signed_in(union_rep), signed_in(officer)

    async def scenario():
        return [
            await connects(case_path(grievance), owner),
            await connects(case_path(grievance), holder),
            await connects(case_path(grievance), stranger),
            await connects(case_path(grievance), staff),  # staff follow the staff stream, not this one
            await connects(case_path(grievance), None),
            await connects("/ws/grievances/SU-NOPE-0000/", owner),
        ]

    results = run(scenario)
    assert results[0][0] and results[1][0]
    assert results[2:] == [(False, CLOSE_FORBIDDEN)] * 4


def test_the_staff_stream_admits_the_agencys_staff_only(
    case, officer, supervisor, outsider, beneficiary, sensitive_case, focal_point
):
    grievance = case.grievance
    cookies = {who: signed_in(user) for who, user in [("officer", officer), ("supervisor", supervisor)]}
    cookies |= {"outsider": signed_in(outsider), "complainant": signed_in(beneficiary), "focal": signed_in(focal_point)}

    async def scenario():
        return {
            "officer": await connects(staff_path(grievance), cookies["officer"]),
            "supervisor": await connects(staff_path(grievance), cookies["supervisor"]),
            "outsider": await connects(staff_path(grievance), cookies["outsider"]),
            "complainant": await connects(staff_path(grievance), cookies["complainant"]),
            "anonymous": await connects(staff_path(grievance), None),
            "officer on a sensitive case": await connects(staff_path(sensitive_case), cookies["officer"]),
            "focal point on a sensitive case": await connects(staff_path(sensitive_case), cookies["focal"]),
        }

    results = run(scenario)
    assert results["officer"][0] and results["supervisor"][0] and results["focal point on a sensitive case"][0]
    for refused in ("outsider", "complainant", "anonymous", "officer on a sensitive case"):
        assert results[refused] == (False, CLOSE_FORBIDDEN), refused


def test_staff_streams_refuse_staff_without_a_second_factor(case, officer, agency, monkeypatch):
    monkeypatch.setattr("portal.middleware.needs_second_factor", lambda user: True)
    cookie = signed_in(officer)

    async def scenario():
        return [await connects(staff_path(case.grievance), cookie), await connects(queue_path(agency), cookie)]

    assert run(scenario) == [(False, CLOSE_FORBIDDEN)] * 2


def test_the_queue_stream_admits_the_agencys_staff_only(
    agency, other_agency, officer, supervisor, outsider, beneficiary
):
    cookies = [signed_in(user) for user in (officer, supervisor, outsider, beneficiary)]

    async def scenario():
        return [await connects(queue_path(agency), cookie) for cookie in cookies] + [
            await connects(queue_path(agency), None),
            await connects(queue_path(other_agency), cookies[0]),
        ]

    results = run(scenario)
    assert results[0][0] and results[1][0]
    assert results[2:] == [(False, CLOSE_FORBIDDEN)] * 4


def test_every_stream_refuses_a_foreign_origin(case, beneficiary, officer, agency):
    owner, staff = signed_in(beneficiary), signed_in(officer)
    grievance = case.grievance

    async def scenario():
        evil = b"https://evil.example"
        return [
            (await connects(case_path(grievance), owner, evil))[0],
            (await connects(staff_path(grievance), staff, evil))[0],
            (await connects(queue_path(agency), staff, evil))[0],
        ]

    assert run(scenario) == [False, False, False]


# --- what reaches whom ----------------------------------------------------------------


def test_an_internal_note_never_reaches_the_complainant_but_reaches_staff(case, beneficiary, officer):
    grievance = case.grievance
    owner, staff = signed_in(beneficiary), signed_in(officer)

    async def scenario():
        complainant = socket(case_path(grievance), cookie=owner)
        officer_socket = socket(staff_path(grievance), cookie=staff)
        assert (await complainant.connect())[0] and (await officer_socket.connect())[0]
        await sync_to_async(note)(grievance, officer, "Internal: the bank file says paid")
        staff_event = await receive(officer_socket, "event")
        leaked = not await receive_nothing_but(complainant, timeout=0.5)
        await sync_to_async(message)(grievance, officer, "We are checking with the bank.")
        public_event = await receive(complainant, "event")
        await complainant.disconnect()
        await officer_socket.disconnect()
        return staff_event, leaked, public_event

    staff_event, leaked, public_event = run(scenario)
    assert "the bank file says paid" in staff_event["events"][0]["html"]
    assert "event-internal" in staff_event["events"][0]["html"]
    assert leaked is False
    assert [e["kind"] for e in public_event["events"]] == [CaseEvent.Kind.MESSAGE_TO_COMPLAINANT]
    assert "We are checking with the bank." in public_event["events"][0]["html"]
    assert "bank file" not in str(public_event)


def test_the_live_entry_is_the_pages_own_fragment(case, beneficiary, officer):
    grievance = case.grievance
    owner = signed_in(beneficiary)

    async def scenario():
        complainant = socket(case_path(grievance), cookie=owner)
        assert (await complainant.connect())[0]
        event = await sync_to_async(ask)(grievance, officer, f"Which e-wallet? {HOSTILE}")
        received = await receive(complainant, "event")
        await complainant.disconnect()
        return event.pk, received

    event_id, received = run(scenario)
    client = Client()
    client.force_login(beneficiary)
    page = client.get(f"/grievances/{grievance.reference}/").content.decode()
    html = received["events"][0]["html"].strip()
    assert received["id"] == event_id and received["status"] == "awaiting_complainant"
    assert html in page  # byte for byte what the page shows
    assert "<script>" not in html


def test_a_new_case_appears_in_its_agencys_queue_and_a_sensitive_one_only_for_focal_points(
    agency, category, officer, focal_point, outsider, beneficiary, policy
):
    theme = Category.objects.create(name="Harassment", agency=agency, sla_policy=policy, sensitive=True)
    sensitive = Category.objects.create(parent=theme, name="Harassment at the office")
    plain_cookie, focal_cookie = signed_in(officer), signed_in(focal_point)

    def lodge(category):
        return services.grievance_lodge(
            category=category, description="Late payment", contact_preference=Grievance.Contact.NONE, anonymous=True
        ).grievance

    async def scenario():
        plain = socket(queue_path(agency), cookie=plain_cookie)
        focal = socket(queue_path(agency), cookie=focal_cookie)
        assert (await plain.connect())[0] and (await focal.connect())[0]
        ordinary = await sync_to_async(lodge)(category)
        plain_row = await receive(plain, "row")
        focal_row = await receive(focal, "row")
        secret = await sync_to_async(lodge)(sensitive)
        focal_secret = await receive(focal, "row")
        plain_heard = not await receive_nothing_but(plain, timeout=0.5)
        await plain.disconnect()
        await focal.disconnect()
        return ordinary, plain_row, focal_row, secret, focal_secret, plain_heard

    ordinary, plain_row, focal_row, secret, focal_secret, plain_heard = run(scenario)
    assert plain_row["reference"] == ordinary.reference == focal_row["reference"]
    assert {"open", "new", "unassigned"} <= set(plain_row["tabs"])
    assert f'id="case-row-{ordinary.pk}"' in plain_row["html"] and "html_select" not in plain_row
    assert 'type="checkbox"' not in plain_row["html"]  # an officer's queue has no bulk-assign boxes
    assert focal_secret["reference"] == secret.reference
    assert plain_heard is False  # a non-focal officer never hears of a sensitive case


def test_a_case_referred_away_leaves_the_queue_and_appears_in_the_other(case, agency, other_agency, supervisor):
    grievance = case.grievance
    receiving_officer = MembershipFactory(organization=other_agency, role=Membership.Role.CASE_OFFICER).user
    ours, theirs = signed_in(supervisor), signed_in(receiving_officer)

    def refer():
        g = fresh(grievance)
        services.grievance_refer(
            grievance=g, user=supervisor, to_agency=other_agency, reasons="Theirs", version=g.version
        )

    async def scenario():
        our_queue = socket(queue_path(agency), cookie=ours)
        their_queue = socket(queue_path(other_agency), cookie=theirs)
        assert (await our_queue.connect())[0] and (await their_queue.connect())[0]
        await sync_to_async(refer)()
        ours_rows = [await receive(our_queue, "row")]
        theirs_row = await receive(their_queue, "row")
        await our_queue.disconnect()
        await their_queue.disconnect()
        return ours_rows, theirs_row

    ours_rows, theirs_row = run(scenario)
    assert ours_rows[-1]["tabs"] == ["open"]  # still ours on paper until they accept
    assert 'type="checkbox"' in ours_rows[-1]["html"]  # a supervisor's queue has bulk-assign boxes
    assert theirs_row["tabs"] == ["referred_in"]


# --- catching up ----------------------------------------------------------------------------


def test_a_reconnecting_complainant_gets_only_the_public_events_missed(case, beneficiary, officer):
    grievance = case.grievance
    owner = signed_in(beneficiary)
    seen = fresh(grievance).events.order_by("-id").first().pk

    def while_away():
        note(grievance, officer, "Internal while away")
        message(grievance, officer, "Public while away")

    async def scenario():
        await sync_to_async(while_away)()
        complainant = socket(case_path(grievance), cookie=owner)
        assert (await complainant.connect())[0]
        await complainant.send_json_to({"resume": {"after": seen}})
        missed = await receive(complainant, "event")
        synced = await receive(complainant, "synced")
        await complainant.disconnect()
        return missed, synced

    missed, synced = run(scenario)
    assert [e["kind"] for e in missed["events"]] == [CaseEvent.Kind.MESSAGE_TO_COMPLAINANT]
    assert "Internal while away" not in str(missed)
    assert synced["id"] == missed["id"]


def test_a_malformed_resume_is_ignored(case, beneficiary):
    owner = signed_in(beneficiary)

    async def scenario():
        complainant = socket(case_path(case.grievance), cookie=owner)
        assert (await complainant.connect())[0]
        await complainant.send_to(text_data="not json {")
        await complainant.send_json_to({"resume": {"after": "1 OR 1=1"}})
        quiet = await complainant.receive_nothing(timeout=0.3)
        await complainant.send_json_to({"resume": {"after": 0}})
        synced = await receive(complainant, "synced")
        await complainant.disconnect()
        return quiet, synced

    quiet, synced = run(scenario)
    assert quiet and synced["id"] > 0


def test_a_reconnecting_officer_gets_every_event_missed_and_the_queue_rows_changed(case, officer, agency):
    grievance = case.grievance
    staff = signed_in(officer)
    seen = fresh(grievance).events.order_by("-id").first().pk

    async def scenario():
        await sync_to_async(note)(grievance, officer, "Internal while away")
        case_socket = socket(staff_path(grievance), cookie=staff)
        queue_socket = socket(queue_path(agency), cookie=staff)
        assert (await case_socket.connect())[0] and (await queue_socket.connect())[0]
        await case_socket.send_json_to({"resume": {"after": seen}})
        await queue_socket.send_json_to({"resume": {"after": seen}})
        missed = await receive(case_socket, "event")
        row = await receive(queue_socket, "row")
        synced = await receive(queue_socket, "synced")
        await case_socket.disconnect()
        await queue_socket.disconnect()
        return missed, row, synced

    missed, row, synced = run(scenario)
    assert [e["kind"] for e in missed["events"]] == [CaseEvent.Kind.NOTE]
    assert row["reference"] == grievance.reference and synced["id"] >= row["id"] > seen


def test_a_staff_catch_up_that_returns_the_case_is_logged_like_a_page_view(case, officer):
    grievance = case.grievance
    staff = signed_in(officer)

    async def scenario():
        communicator = socket(staff_path(grievance), cookie=staff)
        assert (await communicator.connect())[0]
        await communicator.send_json_to({"resume": {"after": 0}})
        whole = await receive(communicator, "event")
        last = (await receive(communicator, "synced"))["id"]
        # Nothing missed, nothing read: no second row.
        await communicator.send_json_to({"resume": {"after": last}})
        await receive(communicator, "synced")
        await communicator.disconnect()
        return whole

    whole = run(scenario)
    assert whole["events"]
    assert list(CaseAccess.objects.filter(grievance=grievance).values_list("user", "what")) == [(officer.pk, "live")]


# --- access that ends ---------------------------------------------------------------------------


def test_signing_out_closes_the_sessions_sockets(case, beneficiary, officer, agency):
    grievance = case.grievance
    complainant_browser, officer_browser = Client(), Client()
    complainant_browser.force_login(beneficiary)
    officer_browser.force_login(officer)

    async def scenario():
        mine = socket(case_path(grievance), cookie=cookie_of(complainant_browser))
        queue = socket(queue_path(agency), cookie=cookie_of(officer_browser))
        assert (await mine.connect())[0] and (await queue.connect())[0]
        await sync_to_async(complainant_browser.post)("/accounts/logout/")
        closed = await mine.receive_output(timeout=3)
        await sync_to_async(officer_browser.post)("/accounts/logout/")
        queue_closed = await queue.receive_output(timeout=3)
        return closed, queue_closed

    closed, queue_closed = run(scenario)
    assert closed == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    assert queue_closed == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


def test_an_officer_who_lost_the_agency_role_hears_nothing_more(case, officer, supervisor):
    """Reassigned to other work: the next event of the case closes the socket instead of reaching it."""
    grievance = case.grievance
    staff = signed_in(officer)

    async def scenario():
        officer_socket = socket(staff_path(grievance), cookie=staff)
        assert (await officer_socket.connect())[0]
        await sync_to_async(Membership.objects.filter(user=officer).update)(active=False)
        await sync_to_async(note)(grievance, supervisor, "After the officer left")
        return await officer_socket.receive_output(timeout=3)

    assert run(scenario) == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


def test_a_queue_socket_closes_soon_after_its_officer_lost_the_role(agency, officer, monkeypatch):
    monkeypatch.setattr("grievances.live.consumers.QUEUE_RECHECK_SECONDS", 0.2)
    cookie = signed_in(officer)

    async def scenario():
        queue = socket(queue_path(agency), cookie=cookie)
        assert (await queue.connect())[0]
        await sync_to_async(Membership.objects.filter(user=officer).update)(active=False)
        return await queue.receive_output(timeout=3)

    assert run(scenario) == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


def test_a_new_pin_ends_the_streams_opened_with_the_old_one(case, officer):
    grievance = case.grievance
    holder = Client()
    holder.post("/grievances/track/", {"reference": grievance.reference, "pin": case.pin})

    async def scenario():
        complainant = socket(case_path(grievance), cookie=cookie_of(holder))
        assert (await complainant.connect())[0]
        await sync_to_async(Grievance.objects.filter(pk=grievance.pk).update)(pin_hash="reissued-" + "x" * 40)
        await sync_to_async(message)(grievance, officer, "After the PIN changed")
        return await complainant.receive_output(timeout=3)

    assert run(scenario) == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}


# --- presence -----------------------------------------------------------------------------------


def test_officers_on_the_same_case_see_each_other(case, agency):
    grievance = case.grievance
    first = MembershipFactory(
        organization=agency, role=Membership.Role.CASE_OFFICER, user=UserFactory(display_name="Somchai")
    ).user
    second = MembershipFactory(
        organization=agency, role=Membership.Role.CASE_OFFICER, user=UserFactory(display_name="Ploy")
    ).user
    first_cookie, second_cookie = signed_in(first), signed_in(second)

    async def scenario():
        a = socket(staff_path(grievance), cookie=first_cookie)
        assert (await a.connect())[0]
        b = socket(staff_path(grievance), cookie=second_cookie)
        assert (await b.connect())[0]
        seen_by_a = await receive(a, "presence")
        seen_by_b = await receive(b, "presence")
        await b.disconnect()
        after = await receive(a, "presence")
        while after["count"]:  # a late duplicate of the join may come first (pub/sub timing)
            after = await receive(a, "presence")
        await a.disconnect()
        return seen_by_a, seen_by_b, after

    seen_by_a, seen_by_b, after = run(scenario)
    assert seen_by_a["text"] == f"{second.get_full_name()} is also viewing this case."
    assert seen_by_b["text"] == f"{first.get_full_name()} is also viewing this case."
    assert after == {"type": "presence", "count": 0, "text": ""}


# --- the queue row's tabs are the queue's own ---------------------------------------------------


def test_a_rows_tabs_are_those_the_queue_page_would_list_it_under(category, agency, other_agency, officer):
    from datetime import timedelta

    from django.utils import timezone

    from grievances.workflow import Status
    from grievances.workspace import selectors

    today = timezone.localdate()
    variants = [
        {},
        {"status": Status.IN_PROGRESS, "assignee": officer},
        {"status": Status.AWAITING_COMPLAINANT},
        {"status": Status.REFERRED, "referred_to": other_agency},
        {"status": Status.CLOSED, "due_on": None},
        {"status": Status.APPEALED},
        {"status": Status.IN_PROGRESS, "due_on": today - timedelta(days=3), "at_risk_on": today - timedelta(days=6)},
        {"status": Status.IN_PROGRESS, "due_on": today + timedelta(days=1), "at_risk_on": today - timedelta(days=1)},
    ]
    for fields in variants:
        grievance = services.grievance_lodge(
            category=category, description="Tabs", contact_preference=Grievance.Contact.NONE, anonymous=True
        ).grievance
        Grievance.objects.filter(pk=grievance.pk).update(**fields)
        grievance = Grievance.objects.get(pk=grievance.pk)
        for queue_agency in (agency, other_agency):
            conditions = selectors.tab_conditions(officer, queue_agency, today)
            conditions.pop("mine")
            in_sql = [name for name, q in conditions.items() if Grievance.objects.filter(q, pk=grievance.pk).exists()]
            assert selectors.tabs_of(grievance, queue_agency.pk, today) == in_sql, fields


# --- each reader in their own language ------------------------------------------------------


def test_a_thai_complainant_and_an_english_officer_each_hear_of_a_change_in_their_own_language(
    case, beneficiary, officer
):
    grievance = case.grievance
    owner, staff = signed_in(beneficiary), signed_in(officer)
    with thirteen_languages():

        async def scenario():
            complainant = socket(case_path(grievance) + "?lang=th", cookie=owner)
            officer_socket = socket(staff_path(grievance) + "?lang=en", cookie=staff)
            assert (await complainant.connect(timeout=5))[0] and (await officer_socket.connect(timeout=5))[0]
            event = await sync_to_async(message)(grievance, officer, "ได้รับเอกสารแล้ว")
            thai = await receive(complainant, "event")
            english = await receive(officer_socket, "event")
            await complainant.disconnect()
            await officer_socket.disconnect()
            return event, thai, english

        event, thai, english = run(scenario)
    when = timezone.localtime(event.created_at)
    with translation.override("th"):
        thai_date = formats.date_format(when, "j M Y")
    with translation.override("en"):
        english_date = formats.date_format(when, "j M Y")
    assert thai_date in thai["events"][0]["html"] and english_date not in thai["events"][0]["html"]
    assert english_date in english["events"][0]["html"] and thai_date not in english["events"][0]["html"]
