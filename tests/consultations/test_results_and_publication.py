"""Results by stakeholder group, and the respondent's publication choice on every output."""

import base64
import csv
import io
import re

import pytest
from openpyxl import load_workbook

from consultations import services
from consultations.models import Response
from consultations.selectors import SCOPE_ALL, consultation_statistics
from portal.models import Membership
from tests.bidi import assert_isolated
from tests.consultations.conftest import Q, answers
from tests.factories import HOSTILE, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


def submit(consultation, *, frozen=None, organization=None, publication="named", user=None, **answer_overrides):
    if organization is not None and user is None:
        user = MembershipFactory(organization=organization, role=Membership.Role.REPRESENTATIVE).user
    return services.response_submit(
        user=user or UserFactory(),
        consultation=consultation,
        organization=organization,
        answers=answers(**answer_overrides),
        publication=publication,
    )


@pytest.fixture
def closed_with_responses(make_consultation, frozen, union, employers):
    """Responses sent while open; the consultation then closes (by moving the clock)."""
    from django.utils import timezone

    consultation = make_consultation("open")
    submit(consultation, organization=union, **{Q["single"]: "C"})
    submit(consultation, organization=employers, **{Q["single"]: "=B", Q["scale"]: "2"})
    submit(consultation, publication="anonymous", **{Q["single"]: "=B", Q["text"]: "anonymous words"})
    secret = UserFactory(display_name="Secret Person")
    submit(consultation, publication="none", user=secret, **{Q["single"]: "C", Q["text"]: "private words"})
    frozen(timezone.now() + __import__("datetime").timedelta(days=11))
    return consultation


def test_statistics_break_answers_down_by_stakeholder_group(closed_with_responses):
    stats = consultation_statistics(consultation=closed_with_responses, scope=SCOPE_ALL)
    groups = [value for value, _label in stats.groups]
    assert groups == ["workers", "employers", "government", "individuals", "others"]
    assert stats.responses_by_group == [1, 1, 0, 2, 0] and stats.responses_total == 4
    single = next(item for item in stats.questions if item.question.id == Q["single"])
    by_option = {row.value: [cell.count for cell in row.by_group] for row in single.rows}
    assert by_option == {f"A {HOSTILE}": [0, 0, 0, 0, 0], "=B": [0, 1, 0, 1, 0], "C": [1, 0, 0, 1, 0]}
    scale = next(item for item in stats.questions if item.question.id == Q["scale"])
    assert scale.mean_by_group[:2] == [4.0, 2.0] and scale.mean_total == 3.5


@pytest.mark.smoke
def test_a_response_not_for_publication_leaves_no_trace_in_public(client, closed_with_responses):
    consultation = closed_with_responses
    public = consultation_statistics(consultation=consultation)
    assert public.responses_total == 3 and public.responses_by_group[3] == 1
    for url in ("", "results/", "responses/"):
        html = client.get(consultation.url + url).content.decode()
        assert "private words" not in html and "Secret Person" not in html, url
    responses = client.get(consultation.url + "responses/").content.decode()
    assert "anonymous words" in responses and "Anonymous response" in responses
    anonymous = Response.objects.get(publication="anonymous")
    assert anonymous.respondent_name not in responses.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def test_responses_isolate_the_direction_of_names_and_written_answers(client, closed_with_responses, manager):
    client.force_login(manager)
    html = client.get(closed_with_responses.url + "responses/?scope=all").content.decode()
    for needle in ("private words", "anonymous words", "Secret Person"):
        assert_isolated(html, needle)


def test_the_owner_sees_everything_marked_with_its_publication_choice(client, closed_with_responses, manager):
    client.force_login(manager)
    html = client.get(closed_with_responses.url + "responses/?scope=all").content.decode()
    assert "private words" in html and "Secret Person" in html and "Do not publish" in html
    stats_html = client.get(closed_with_responses.url + "results/?scope=all").content.decode()
    assert "all 4 submitted responses" in stats_html


def test_scope_all_is_for_the_owner_only(client, closed_with_responses, beneficiary):
    client.force_login(beneficiary)
    html = client.get(closed_with_responses.url + "responses/?scope=all").content.decode()
    assert "private words" not in html


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_exports_respect_publication_and_neutralise_formulas(client, closed_with_responses, manager):
    client.force_login(manager)
    internal = read_csv(client.get(closed_with_responses.url + "manage/export/csv/"))
    shared = read_csv(client.get(closed_with_responses.url + "manage/export/csv/?scope=published"))
    assert len(internal) == 1 + 4 and len(shared) == 1 + 3
    flat_shared = "\n".join(",".join(row) for row in shared)
    assert "private words" not in flat_shared and "Secret Person" not in flat_shared
    assert "private words" in "\n".join(",".join(row) for row in internal)
    assert "Secret Person" in "\n".join(",".join(row) for row in internal)  # the sealed name, opened for the owner
    # Names only where the author agreed: the anonymous row has none.
    anonymous_row = next(row for row in shared if "anonymous words" in row)
    assert anonymous_row[3] == "" and anonymous_row[4] == ""
    for rows in (internal, shared):
        cells = [cell for row in rows for cell in row]
        assert "'=B" in cells and "'+1 agree" in cells
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)

    workbook = load_workbook(io.BytesIO(client.get(closed_with_responses.url + "manage/export/xlsx/").content))
    sheet = workbook.active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'=B" in values and "private words" in values
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    shared_book = load_workbook(
        io.BytesIO(client.get(closed_with_responses.url + "manage/export/xlsx/?scope=published").content)
    )
    assert "private words" not in [c.value for row in shared_book.active.iter_rows() for c in row]


def test_hostile_names_and_control_characters_survive_the_xlsx_export(client, make_consultation, manager):
    consultation = make_consultation("open")
    submit(
        consultation, user=UserFactory(display_name='=HYPERLINK("http://evil")\x07'), **{Q["text"]: "@SUM(1)\x07end"}
    )
    client.force_login(manager)
    response = client.get(consultation.url + "manage/export/xlsx/")
    values = [c.value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
    assert '\'=HYPERLINK("http://evil")\ufffd' in values and "'@SUM(1)\ufffdend" in values


@pytest.mark.parametrize("who", ["anonymous", "beneficiary", "union_rep", "ministry_officer"])
def test_only_the_owners_managers_export(client, closed_with_responses, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for fmt in ("csv", "xlsx"):
        response = client.get(closed_with_responses.url + f"manage/export/{fmt}/")
        assert response.status_code in (302, 403), (who, fmt)
        assert response.status_code == 302 if who == "anonymous" else response.status_code == 403


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, closed_with_responses, ministry):
    editor = MembershipFactory(organization=ministry, role=Membership.Role.EDITOR).user
    client.force_login(editor)
    response = client.get(closed_with_responses.url + "manage/export/csv/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_results_wait_for_closing_except_for_the_owner(client, make_consultation, manager):
    consultation = make_consultation("open")
    assert client.get(consultation.url + "results/").status_code == 403
    assert client.get(consultation.url + "responses/").status_code == 403
    client.force_login(manager)
    assert client.get(consultation.url + "results/").status_code == 200


def many_responses(consultation, count):
    for i in range(count):
        organization = (
            OrganizationFactory(kind=["workers", "employers", "government", "other"][i % 4]) if i % 2 else None
        )
        submit(
            consultation,
            organization=organization,
            publication=["named", "anonymous"][i % 2],
            **{Q["scale"]: str(1 + i % 5)},
        )


def count_queries(client, url, django_assert_num_queries=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm Wagtail's site cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("route", ["results/", "responses/", ""])
def test_query_counts_do_not_grow_with_responses(client, make_consultation, frozen, route):
    import datetime

    from django.utils import timezone

    consultation = make_consultation("open")
    many_responses(consultation, 3)
    frozen(timezone.now() + datetime.timedelta(days=11))
    few = count_queries(client, consultation.url + route)
    frozen(timezone.now() - datetime.timedelta(days=11))
    many_responses(consultation, 25)
    frozen(timezone.now() + datetime.timedelta(days=11))
    many = count_queries(client, consultation.url + route)
    assert few == many, route
    # 15: one of them finds the consultation itself among its translations (ConsultationPage.source).
    assert many <= 15


def test_the_results_page_draws_charts_without_style_attributes_and_with_tables(client, closed_with_responses):
    html = client.get(closed_with_responses.url + "results/").content.decode()
    assert html.count("<svg") == 4 and html.count('role="img"') == 4
    assert "<title" in html and "<table" in html and "<caption" in html
    assert ' style="' not in html and "<script" not in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html


def test_the_results_page_shows_the_chart_as_an_image_inside_a_titled_svg(client, closed_with_responses):
    html = client.get(closed_with_responses.url + "results/").content.decode()
    uris = re.findall(r'<image href="data:image/svg\+xml;base64,([^"]+)"', html)
    assert uris
    for uri in uris:
        svg = base64.b64decode(uri).decode()
        assert "<script" not in svg.replace("&lt;script", "") and "% (" in svg
    assert html.count('<title id="chart-') == len(uris)


def test_the_index_page_query_count_is_constant(client, make_consultation, index_page):
    from tests.factories import consultation_page  # noqa: F401

    make_consultation("open")
    make_consultation("closed")
    few = count_queries(client, index_page.url)
    for state in ("open", "upcoming", "closed", "closed"):
        make_consultation(state)
    assert count_queries(client, index_page.url) == few


def test_the_index_filters_by_topic_and_owner(client, make_consultation, index_page, employers):
    from consultations.models import Topic

    topic = Topic.objects.create(name="Pensions", slug="pensions")
    tagged = make_consultation("open", title="Tagged pensions")
    tagged.topics.set([topic])
    tagged.save()
    make_consultation("open", title="Other one", owner=employers)
    html = client.get(index_page.url + "?topic=pensions").content.decode()
    assert "Tagged pensions" in html and "Other one" not in html
    html = client.get(index_page.url + f"?owner={employers.slug}").content.decode()
    assert "Tagged pensions" not in html and "Other one" in html
    assert client.get(index_page.url + "?topic=<script>").status_code == 200
