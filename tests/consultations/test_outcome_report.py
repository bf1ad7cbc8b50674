"""The consultation outcome report: rendered by the task worker when the outcome is published, stored, served."""

import datetime
import io

import pypdf
import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail import hooks

from consultations import reports, services
from consultations.charts import question_chart
from consultations.models import OrganizationIndexPage, OutcomeReport, PositionStatementPage
from consultations.selectors import consultation_statistics
from consultations.services import organization_section_ensure
from portal.models import Organization
from tests.consultations.conftest import answers
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

THAI = "กระทรวงจะขยายสิทธิประโยชน์ให้แรงงานแพลตฟอร์ม"
VIETNAMESE = "Bộ sẽ mở rộng quyền lợi cho người lao động nền tảng."
HOUR = datetime.timedelta(hours=1)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def run_tasks() -> list[str]:
    """Run the queued tasks as the worker would (their arguments as stored); return the reports rendered.

    Wagtail queues its own (search and reference index updates); they run too.
    """
    from django.utils.module_loading import import_string

    ran = []
    for row in DBTaskResult.objects.ready().order_by("enqueued_at", "id"):
        try:
            import_string(row.task_path).call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        finally:
            DBTaskResult.objects.filter(pk=row.pk).delete()
        if row.task_path.endswith("render_outcome_report"):
            ran.append(row.task_path)
    return ran


def publish(page, django_capture_on_commit_callbacks, **fields):
    """Publish a revision as the admin does, and run the admin's after-publish hooks."""
    for name, value in fields.items():
        setattr(page, name, value)
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
        page = type(page).objects.get(pk=page.pk)
        for hook in hooks.get_hooks("after_publish_page"):
            hook(None, page)
    return page


def outcome(text: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


@pytest.fixture
def silent_org(db):
    return OrganizationFactory(kind=Organization.Kind.WORKERS, name="Quiet Workers Collective", slug="quiet-t")


@pytest.fixture
def answered(make_consultation, union, union_rep, employers, employers_rep, beneficiary, silent_org):
    """An open consultation answered by a union (named), employers (named), a person and an organization (unpublished)."""
    from portal.models import Membership

    page = make_consultation("open")
    services.response_submit(
        user=union_rep, consultation=page, organization=union, answers=answers(), publication="named"
    )
    services.response_submit(
        user=employers_rep, consultation=page, organization=employers, answers=answers(), publication="named"
    )
    services.response_submit(user=beneficiary, consultation=page, answers=answers(), publication="named")
    quiet_rep = MembershipFactory(organization=silent_org, role=Membership.Role.REPRESENTATIVE).user
    services.response_submit(
        user=quiet_rep, consultation=page, organization=silent_org, answers=answers(), publication="none"
    )
    return page


@pytest.fixture
def positions(home_page, answered, union, employers):
    index = home_page.add_child(instance=OrganizationIndexPage(title="Organizations", slug="organizations"))
    made = {}
    for organization, title in ((union, "Riders want coverage"), (employers, "Employers ask for phasing")):
        section = organization_section_ensure(organization=organization, index_page=index)
        position = section.add_child(
            instance=PositionStatementPage(title=title, slug=f"p-{organization.pk}", summary=f"{title}: summary")
        )
        position.consultations.set([answered])
        position.save_revision().publish()
        made[organization.kind] = position
    return made


@pytest.fixture
def closed(answered, positions, django_capture_on_commit_callbacks):
    """The consultation closed, its outcome published through the admin's publish path."""
    now = timezone.now()
    return publish(
        answered,
        django_capture_on_commit_callbacks,
        opens_at=now - 10 * HOUR,
        closes_at=now - HOUR,
        outcome=outcome(f"{THAI} {VIETNAMESE}"),
        what_we_heard=outcome("Most respondents asked for coverage."),
    )


def test_publishing_the_outcome_queues_the_report_and_the_worker_renders_it(client, closed, union, employers):
    report = OutcomeReport.objects.get(consultation=closed)
    assert report.status == OutcomeReport.Status.QUEUED
    assert run_tasks() == ["consultations.tasks.render_outcome_report"]
    report.refresh_from_db()
    assert report.status == OutcomeReport.Status.READY and report.progress == 100 and report.is_current

    response = client.get(closed.url + "outcome.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    text = pdf_text(data)
    flat = text.replace("\n", "")
    assert THAI in flat
    assert VIETNAMESE in text.replace("\n", " ")
    assert "Most respondents asked for coverage." in text
    assert "Riders want coverage" in text and "Employers ask for phasing" in text  # positions
    assert union.name.split("<")[0].strip() in text  # consented to be named
    assert "Quiet Workers Collective" not in text  # did not agree to publication
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_the_report_draws_the_same_charts_as_the_results_page(client, closed, monkeypatch):
    drawn = []

    def spy(stats, groups):
        chart = question_chart(stats, groups)
        drawn.append(chart)
        return chart

    monkeypatch.setattr(reports, "question_chart", spy)
    run_tasks()
    text = pdf_text(b"".join(client.get(closed.url + "outcome.pdf").streaming_content))
    statistics = consultation_statistics(consultation=closed)
    assert len(drawn) == len(statistics.questions) > 0
    results_page = client.get(closed.url + "results/").text
    html = reports.report_html(closed)
    assert html.count('<svg class="chart"') == len(statistics.questions)  # the results page's chart template
    for item, chart in zip(statistics.questions, drawn[: len(statistics.questions)], strict=True):
        assert chart.data_uri in results_page and chart.data_uri in html
        for row in item.rows:
            for cell in row.by_group:
                if cell.base:
                    value = f"{cell.percent}% ({cell.count})"
                    assert text.count(value) >= 2  # drawn in the chart, and written out under it


def test_the_report_is_served_again_without_rendering(client, closed, monkeypatch):
    run_tasks()
    first = b"".join(client.get(closed.url + "outcome.pdf").streaming_content)

    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(reports, "html_to_pdf", must_not_render)
    second = client.get(closed.url + "outcome.pdf")
    assert second.status_code == 200
    assert b"".join(second.streaming_content) == first
    assert client.get(closed.url + "outcome.pdf", headers={"If-None-Match": second["ETag"]}).status_code == 304


def test_progress_and_readiness_show_on_the_page_without_javascript(client, closed, beneficiary):
    client.force_login(beneficiary)  # signed in: past the anonymous page cache, to see the change at once
    page = client.get(closed.url).text
    assert "Outcome report (PDF)" in page
    assert "<progress" in page and "waiting to be prepared" in page
    pending = client.get(closed.url + "outcome.pdf")
    assert pending.status_code == 202
    assert "being prepared" in pending.text and "<script" not in pending.text
    assert len(run_tasks()) == 1  # asking again did not queue a second render
    page = client.get(closed.url).text
    assert "Download the outcome report" in page and "<progress" not in page


def test_editing_the_outcome_renders_the_report_again(client, closed, django_capture_on_commit_callbacks):
    run_tasks()
    edited = publish(closed, django_capture_on_commit_callbacks, outcome=outcome("A revised outcome."))
    assert client.get(edited.url + "outcome.pdf").status_code == 202  # the old report is not served as current
    run_tasks()
    text = pdf_text(b"".join(client.get(edited.url + "outcome.pdf").streaming_content))
    assert "A revised outcome." in text and THAI not in text.replace("\n", "")


def test_a_hidden_response_makes_the_report_out_of_date(
    client, closed, manager, beneficiary, django_capture_on_commit_callbacks
):
    run_tasks()
    response = closed.responses.get(respondent=beneficiary, organization__isnull=True)
    services.response_hide(moderator=manager, response=response, reason="abuse")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(closed.url + "outcome.pdf").status_code == 202
    assert len(run_tasks()) == 1
    assert client.get(closed.url + "outcome.pdf").status_code == 200


def test_there_is_no_report_before_the_outcome_is_published(client, make_consultation):
    for state in ("upcoming", "open", "closed"):
        page = make_consultation(state)
        assert client.get(page.url + "outcome.pdf").status_code == 404
    assert not OutcomeReport.objects.exists()


def test_an_unpublished_consultation_has_no_report(client, closed, manager):
    run_tasks()
    url = closed.url + "outcome.pdf"
    closed.unpublish()
    assert client.get(url).status_code == 404
    client.force_login(manager)  # even its owner: the address is the public page's
    assert client.get(url).status_code == 404


def test_an_outcome_kept_in_a_draft_makes_no_report(client, make_consultation):
    page = make_consultation("closed")
    page.outcome = outcome("Not yet public.")
    page.save_revision()  # a draft: the live page still has no outcome
    assert client.get(page.url + "outcome.pdf").status_code == 404
    assert reports.outcome_report_schedule(consultation=type(page).objects.get(pk=page.pk)) is None


def test_a_failed_render_is_recorded_and_asked_for_again(
    client, closed, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("no fonts today")

    monkeypatch.setattr(reports, "html_to_pdf", broken)
    with pytest.raises(RuntimeError):
        run_tasks()
    report = OutcomeReport.objects.get(consultation=closed)
    assert report.status == OutcomeReport.Status.FAILED and "no fonts today" in report.error
    assert "could not be prepared" in client.get(closed.url).text
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(closed.url + "outcome.pdf").status_code == 202  # asked for again
    run_tasks()
    assert client.get(closed.url + "outcome.pdf").status_code == 200


def test_the_render_task_run_twice_renders_once(closed, monkeypatch):
    from consultations.tasks import render_outcome_report

    report = OutcomeReport.objects.get(consultation=closed)
    assert render_outcome_report.call(report.pk, report.source_key) == "ready"

    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(reports, "html_to_pdf", must_not_render)
    assert render_outcome_report.call(report.pk, report.source_key) == "ready"
