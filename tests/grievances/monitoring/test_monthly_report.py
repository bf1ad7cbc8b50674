"""The monthly report by e-mail: rendered by a task, sent to supervisors and the head only."""

from django.core import mail
from django.core.management import call_command
from django.utils import translation
from django.utils.dates import MONTHS
from django_tasks_db.models import DBTaskResult

from grievances.monitoring.tasks import send_monthly_report


def test_the_report_goes_to_supervisors_and_the_head_as_a_pdf(supervisor, head, officer, agency, march_april):
    sent = send_monthly_report.call(agency.pk, "2026-03")
    assert sent == 2
    [message] = mail.outbox
    assert sorted(message.to) == sorted([supervisor.email, head.email])
    assert officer.email not in message.to
    [(name, content, mimetype)] = message.attachments
    assert name == f"report-{agency.slug}-2026-03.pdf"
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")


def test_an_agency_without_supervisors_gets_no_mail(officer, agency):
    assert send_monthly_report.call(agency.pk, "2026-03") == 0
    assert mail.outbox == []


def test_the_command_enqueues_one_report_per_agency(supervisor, outsider_supervisor, capsys):
    call_command("monthly_reports", "--month", "2026-03")
    assert "enqueued=2" in capsys.readouterr().out
    queued = DBTaskResult.objects.filter(task_path="grievances.monitoring.tasks.send_monthly_report")
    assert sorted(row.args_kwargs["args"][1] for row in queued) == ["2026-03", "2026-03"]


def test_the_reports_month_is_named_in_the_language_it_is_sent_in(supervisor, agency, settings):
    settings.LANGUAGES = [("en", "English"), ("th", "ไทย")]
    with translation.override("th"):
        send_monthly_report.call(agency.pk, "2026-03")
        march = str(MONTHS[3])
    [message] = mail.outbox
    assert f"{march} 2026" in message.subject and "2026-03" not in message.subject
