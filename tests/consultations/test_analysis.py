"""The owner's analysis of written answers: themes by stakeholder group, codes, and where the codes go."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations import analysis, codes, reports
from consultations.models import AnswerCode, Code
from portal.models import Membership
from tests.consultations.conftest import Q, with_second_factor
from tests.factories import MembershipFactory, OrganizationFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db

PENSION = "My old-age pension stopped after the proof of life check ({n})."
WALLET = "The e-wallet verification code (OTP) was not received by text message, try {n}."
RIDERS = "Platform riders need portable social security contributions from every platform, {n}."
GROUPS = ["workers", "employers", "individuals", "individuals", "government"]


def answer(page, text, *, group="individuals", publication="named", **fields):
    return ResponseFactory(
        consultation=page, stakeholder_group=group, publication=publication, answers={Q["text"]: text}, **fields
    )


@pytest.fixture
def page(make_consultation):
    return make_consultation("closed")


@pytest.fixture
def answered(page):
    """Five answers about pensions, four about e-wallet codes (one of them "do not publish"), one alone."""
    pension = [answer(page, PENSION.format(n=i), group=GROUPS[i]) for i in range(5)]
    wallet = [answer(page, WALLET.format(n=i), group="workers") for i in range(3)]
    wallet.append(answer(page, WALLET.format(n=9), group="workers", publication="none"))
    answer(page, "Nothing to add.")
    return {"pension": pension, "wallet": wallet}


@pytest.fixture
def analyst(manager):
    return manager


def signed_in(client, user):
    client.force_login(user)
    return client


def url(page, rest=""):
    return page.url + "manage/analysis/" + rest


def themes_of(page):
    key, data = analysis.answer_themes_cached(page, language="en")
    return key, data["questions"][Q["text"]]["themes"]


# --- who may ---------------------------------------------------------------------


def test_signed_out_people_are_sent_to_sign_in_and_see_nothing(client, page, answered):
    for address in (url(page), url(page, f"answers/?question={Q['text']}")):
        response = client.get(address)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(url(page), {"action": "create", "name": "x"}).status_code == 302
    assert not Code.objects.exists()


@pytest.mark.parametrize("who", ["respondent", "ministry_officer", "other_owner", "union_admin"])
def test_people_who_do_not_analyse_this_consultation_get_not_found(client, page, answered, who, request, union):
    users = {
        "respondent": lambda: answered["pension"][0].respondent,
        "ministry_officer": lambda: request.getfixturevalue("ministry_officer"),
        "other_owner": lambda: with_second_factor(
            MembershipFactory(organization=OrganizationFactory(kind="government"), role=Membership.Role.ADMIN).user
        ),
        "union_admin": lambda: with_second_factor(
            MembershipFactory(organization=union, role=Membership.Role.ADMIN).user
        ),
    }
    client = signed_in(client, users[who]())
    assert client.get(url(page)).status_code == 404
    assert client.get(url(page, f"answers/?question={Q['text']}")).status_code == 404
    assert client.post(url(page), {"action": "create", "name": "Pensions"}).status_code == 404
    assert not Code.objects.exists()


def test_an_owner_of_another_consultation_cannot_code_through_the_services(page, answered, make_consultation):
    other = make_consultation("closed", owner=OrganizationFactory(kind="government"))
    other_owner = MembershipFactory(organization=other.owner_organization, role=Membership.Role.ADMIN).user
    with pytest.raises(PermissionDenied):
        codes.code_create(user=other_owner, consultation=page, name="Pensions")
    code = Code.objects.create(consultation=page, name="Pensions")
    for call in (
        lambda: codes.code_rename(user=other_owner, code=code, name="x"),
        lambda: codes.code_delete(user=other_owner, code=code),
        lambda: codes.answers_tag(
            user=other_owner, code=code, question_id=Q["text"], response_ids=[answered["pension"][0].pk]
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not AnswerCode.objects.exists() and Code.objects.get().name == "Pensions"


def test_a_manager_without_a_second_factor_is_asked_to_set_one_up(client, page, answered, ministry):
    plain = MembershipFactory(organization=ministry, role=Membership.Role.ADMIN).user
    response = signed_in(client, plain).get(url(page))
    assert response.status_code == 302 and "totp" in response["Location"]


# --- themes ----------------------------------------------------------------------------


def test_answers_are_grouped_into_themes_with_shares_per_stakeholder_group(client, page, answered, analyst):
    _key, themes = themes_of(page)
    assert [len(theme["members"]) for theme in themes] == [5, 4]
    assert themes[0]["label"] == "old-age pension · proof of life · stopped"
    assert set(themes[1]["members"]) == {r.pk for r in answered["wallet"]}
    assert themes[0]["by_group"] == {"workers": 1, "employers": 1, "individuals": 2, "government": 1}
    html = signed_in(client, analyst).get(url(page)).content.decode()
    assert "old-age pension · proof of life · stopped" in html
    # Workers: 1 of their 5 answers is about pensions, 4 of 5 about the wallet codes.
    assert "1 / 5" in html and "4 / 5" in html and "80 %" in html
    assert "10 answers; 1 in no theme." in html


def test_excerpts_never_show_identifiers_and_mark_what_may_not_be_published(client, page, analyst):
    answer(page, PENSION.format(n="call me on 0812 345 6789"))
    answer(page, PENSION.format(n="write to somchai@example.org"))
    answer(page, PENSION.format(n="my ID 1-2345-67890-12-3"))
    answer(page, PENSION.format(n="kept private"), publication="none")
    answer(page, PENSION.format(n="public"))
    html = signed_in(client, analyst).get(url(page)).content.decode()
    assert "kept private" in html and "public" in html and "(not for publication)" in html
    for identifier in ("0812", "somchai@", "1-2345"):
        assert identifier not in html


def test_the_analysis_page_makes_the_same_queries_for_few_or_many_themes_and_answers(client, page, analyst):
    client = signed_in(client, analyst)

    def queries() -> int:
        client.get(url(page))  # the themes are computed and cached here
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url(page)).status_code == 200
        return len(captured)

    for i in range(3):
        answer(page, PENSION.format(n=i))
    Code.objects.create(consultation=page, name="Pensions")
    few = queries()
    for i in range(6):
        answer(page, WALLET.format(n=i), group="workers")
        answer(page, RIDERS.format(n=i), group="employers")
    Code.objects.create(consultation=page, name="Wallets")
    assert len(themes_of(page)[1]) == 3
    assert queries() == few


# --- codes ----------------------------------------------------------------------------------


def test_analysts_create_codes_and_a_duplicate_name_is_refused_keeping_what_was_typed(client, page, analyst):
    client = signed_in(client, analyst)
    response = client.post(url(page), {"action": "create", "name": "Portable benefits", "description": "Riders"})
    assert response.status_code == 302
    code = Code.objects.get()
    assert code.created_by == analyst and code.description == "Riders"
    response = client.post(url(page), {"action": "create", "name": "portable BENEFITS", "description": "again"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "already has a code with that name" in html and "portable BENEFITS" in html and "again" in html
    assert Code.objects.count() == 1


def test_renaming_keeps_the_tags(client, page, answered, analyst):
    code = Code.objects.create(consultation=page, name="Pensions")
    codes.answers_tag(user=analyst, code=code, question_id=Q["text"], response_ids=[answered["pension"][0].pk])
    signed_in(client, analyst).post(url(page), {"action": "rename", "code": code.pk, "name": "Pension stops"})
    code.refresh_from_db()
    assert code.name == "Pension stops" and code.updated_by == analyst and code.tags.count() == 1


def test_merging_moves_the_tags_without_duplicates(client, page, answered, analyst):
    first, second = (Code.objects.create(consultation=page, name=name) for name in ("Pensions", "Old age"))
    ids = [r.pk for r in answered["pension"]]
    codes.answers_tag(user=analyst, code=first, question_id=Q["text"], response_ids=ids[:3])
    codes.answers_tag(user=analyst, code=second, question_id=Q["text"], response_ids=ids[2:])
    response = signed_in(client, analyst).post(url(page), {"action": "merge", "code": second.pk, "target": first.pk})
    assert response.status_code == 302
    assert not Code.objects.filter(pk=second.pk).exists()
    assert sorted(AnswerCode.objects.values_list("response_id", flat=True)) == ids
    assert set(AnswerCode.objects.values_list("code_id", flat=True)) == {first.pk}


def test_merging_into_a_code_of_another_consultation_is_not_found(client, page, analyst, make_consultation):
    mine = Code.objects.create(consultation=page, name="Pensions")
    theirs = Code.objects.create(consultation=make_consultation("closed"), name="Pensions")
    response = signed_in(client, analyst).post(url(page), {"action": "merge", "code": mine.pk, "target": theirs.pk})
    assert response.status_code == 404
    assert Code.objects.count() == 2


def test_deleting_a_code_needs_the_box_ticked(client, page, answered, analyst):
    code = Code.objects.create(consultation=page, name="Pensions")
    codes.answers_tag(user=analyst, code=code, question_id=Q["text"], response_ids=[answered["pension"][0].pk])
    client = signed_in(client, analyst)
    client.post(url(page), {"action": "delete", "code": code.pk})
    assert Code.objects.exists()
    client.post(url(page), {"action": "delete", "code": code.pk, "confirm": "1"})
    assert not Code.objects.exists() and not AnswerCode.objects.exists()


def test_every_answer_of_a_theme_is_tagged_at_once(client, page, answered, analyst):
    code = Code.objects.create(consultation=page, name="Wallet codes")
    key, _themes = themes_of(page)
    client = signed_in(client, analyst)
    data = {"action": "theme_tag", "question": Q["text"], "theme": "2", "key": key, "code": code.pk}
    assert client.post(url(page), data).status_code == 302
    assert set(code.tags.values_list("response_id", flat=True)) == {r.pk for r in answered["wallet"]}
    assert set(code.tags.values_list("tagged_by", flat=True)) == {analyst.pk}
    # Again: nothing is tagged twice.
    client.post(url(page), data)
    assert code.tags.count() == 4


def test_a_theme_form_from_before_the_answers_changed_tags_nothing(client, page, answered, analyst):
    code = Code.objects.create(consultation=page, name="Wallet codes")
    key, _themes = themes_of(page)
    answer(page, WALLET.format(n=42), group="government")
    data = {"action": "theme_tag", "question": Q["text"], "theme": "2", "key": key, "code": code.pk}
    response = signed_in(client, analyst).post(url(page), data, follow=True)
    assert "The answers changed since the page was shown" in response.content.decode()
    assert not AnswerCode.objects.exists()


def test_a_suggested_code_is_the_themes_label_created_and_applied_in_one_click(client, page, answered, analyst):
    key, themes = themes_of(page)
    client = signed_in(client, analyst)
    html = client.get(url(page)).content.decode()
    assert "Suggested code: make “old-age pension · proof of life · stopped” a code" in html
    client.post(url(page), {"action": "suggest", "question": Q["text"], "theme": "1", "key": key})
    code = Code.objects.get()
    assert code.name == themes[0]["label"] and code.created_by == analyst
    assert set(code.tags.values_list("response_id", flat=True)) == {r.pk for r in answered["pension"]}
    # Once it exists, the theme no longer suggests it.
    assert "Suggested code: make “old-age pension" not in client.get(url(page)).content.decode()


def test_answers_are_tagged_and_untagged_one_by_one(client, page, answered, analyst):
    code = Code.objects.create(consultation=page, name="Pensions")
    one = answered["pension"][0]
    client = signed_in(client, analyst)
    address = url(page, f"answers/?question={Q['text']}")
    assert client.post(address, {"action": "tag", "response": one.pk, "code": code.pk}).status_code == 302
    assert list(code.tags.values_list("response_id", flat=True)) == [one.pk]
    html = client.get(url(page, f"answers/?question={Q['text']}&code={code.pk}")).content.decode()
    assert PENSION.format(n=0) in html and PENSION.format(n=1) not in html
    client.post(address, {"action": "untag", "response": one.pk, "code": code.pk})
    assert not code.tags.exists()


def test_an_answer_of_another_consultation_cannot_be_tagged(client, page, answered, analyst, make_consultation):
    code = Code.objects.create(consultation=page, name="Pensions")
    stranger = answer(make_consultation("closed"), PENSION.format(n=7))
    client = signed_in(client, analyst)
    response = client.post(url(page, f"answers/?question={Q['text']}"), {"response": stranger.pk, "code": code.pk})
    assert response.status_code == 404
    assert codes.answers_tag(user=analyst, code=code, question_id=Q["text"], response_ids=[stranger.pk]) == 0
    assert not AnswerCode.objects.exists()


def test_the_answers_page_queries_stay_the_same_for_more_answers_and_tags(client, page, analyst):
    code = Code.objects.create(consultation=page, name="Pensions")
    client = signed_in(client, analyst)
    address = url(page, f"answers/?question={Q['text']}")
    first = answer(page, PENSION.format(n=0))
    codes.answers_tag(user=analyst, code=code, question_id=Q["text"], response_ids=[first.pk])
    client.get(address)
    with CaptureQueriesContext(connection) as few:
        client.get(address)
    more = [answer(page, PENSION.format(n=i)) for i in range(1, 8)]
    codes.answers_tag(user=analyst, code=code, question_id=Q["text"], response_ids=[r.pk for r in more])
    client.get(address)
    with CaptureQueriesContext(connection) as many:
        client.get(address)
    assert len(many) == len(few)


# --- exports and the outcome report ---------------------------------------------------------


def test_the_exports_carry_each_answers_codes(client, page, answered, analyst):
    pensions, stopped = (Code.objects.create(consultation=page, name=name) for name in ("Pensions", "=Stopped"))
    one = answered["pension"][0]
    codes.answers_tag(user=analyst, code=pensions, question_id=Q["text"], response_ids=[one.pk])
    codes.answers_tag(user=analyst, code=stopped, question_id=Q["text"], response_ids=[one.pk])
    response = signed_in(client, analyst).get(page.url + "manage/export/csv/")
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text[1:])))
    column = next(i for i, name in enumerate(rows[0]) if name.endswith("— codes"))
    by_id = {row[0]: row for row in rows[1:]}
    # Sorted by name; a code starting with "=" is neutralised like any typed cell.
    assert by_id[str(one.pk)][column] == "'=Stopped; Pensions"
    assert by_id[str(answered["pension"][1].pk)][column] == ""


def test_the_outcome_report_counts_codes_of_published_responses_with_the_minimum_cell(page, settings, analyst):
    settings.SUARA_STATISTICS_MIN_CELL = 3
    code = Code.objects.create(consultation=page, name="Pensions")
    workers = [answer(page, PENSION.format(n=i), group="workers") for i in range(4)]
    employers = [answer(page, PENSION.format(n=i), group="employers") for i in range(2)]
    private = [answer(page, PENSION.format(n=i), group="government", publication="none") for i in range(5)]
    ids = [r.pk for r in workers + employers + private]
    codes.answers_tag(user=analyst, code=code, question_id=Q["text"], response_ids=ids)
    [row] = analysis.code_counts_public(page)
    groups = ["workers", "employers", "government", "individuals", "others"]
    assert dict(zip(groups, row.by_group, strict=True)) == {
        "workers": 4,
        "employers": None,  # 2 < 3: "fewer than 3"
        "government": 0,  # five "do not publish" responses leave no trace
        "individuals": 0,
        "others": 0,
    }
    # The owner's own count is exact and includes every submitted response.
    [own] = analysis.code_counts(page, published_only=False)
    assert own.by_group[:3] == [4, 2, 5]
    html = reports.report_html(page, language="en")
    assert "Codes of the written answers, by stakeholder group" in html and "fewer than 3" in html


def test_a_change_to_the_codes_makes_the_stored_report_out_of_date(page, answered, analyst):
    before = reports.report_source_key(page)
    code = codes.code_create(user=analyst, consultation=page, name="Pensions")
    tagged = reports.report_source_key(page)
    assert tagged != before
    codes.answers_tag(user=analyst, code=code, question_id=Q["text"], response_ids=[answered["pension"][0].pk])
    assert reports.report_source_key(page) != tagged


def test_without_a_theme_grouper_the_page_still_lets_analysts_code(client, page, answered, analyst, monkeypatch):
    from portal import registry

    monkeypatch.setattr(registry, "text_themes", lambda texts, *, language: None)
    html = signed_in(client, analyst).get(url(page)).content.decode()
    assert "Themes cannot be worked out on this server" in html


def test_a_signed_in_stranger_posting_to_the_answers_page_is_refused(client, page, answered):
    code = Code.objects.create(consultation=page, name="Pensions")
    stranger = UserFactory()
    response = signed_in(client, stranger).post(
        url(page, f"answers/?question={Q['text']}"), {"response": answered["pension"][0].pk, "code": code.pk}
    )
    assert response.status_code == 404 and not AnswerCode.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(page, answered, analyst):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    assert client.post(url(page), {"action": "create", "name": "Pensions"}).status_code == 403
    assert not Code.objects.exists()


def test_a_large_consultations_themes_are_computed_by_the_task_worker(
    client, page, answered, analyst, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from consultations import tasks

    monkeypatch.setattr(analysis, "THEMES_ON_REQUEST", 5)
    client = signed_in(client, analyst)
    with django_capture_on_commit_callbacks(execute=True):
        html = client.get(url(page)).content.decode()
        client.get(url(page))  # a second look queues nothing more
    assert "being worked out in the background" in html and "old-age pension" not in html
    [queued] = DBTaskResult.objects.filter(task_path__endswith="compute_answer_themes")
    assert tasks.compute_answer_themes.call(*queued.args_kwargs["args"]) == 2
    html = client.get(url(page)).content.decode()
    assert "old-age pension · proof of life · stopped" in html and "being worked out" not in html
