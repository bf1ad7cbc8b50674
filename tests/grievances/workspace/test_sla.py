"""Deadlines on working days with holidays and pauses, SLA states, and the idempotent escalation sweep."""

from datetime import date

import pytest
from django_tasks_db.models import DBTaskResult

from grievances import services, sla
from grievances.models import CaseEvent, Grievance, Holiday
from grievances.sla import SLAState
from grievances.workflow import Status
from tests.grievances.workspace.conftest import lodge

K = CaseEvent.Kind


def fresh(grievance):
    return Grievance.objects.get(pk=grievance.pk)


@pytest.fixture(autouse=True)
def songkran(db):
    Holiday.objects.create(date=date(2027, 4, 13), name="Songkran")
    Holiday.objects.create(date=date(2027, 4, 14), name="Songkran")


def escalation_tasks():
    return DBTaskResult.objects.filter(task_path__endswith="send_escalation").order_by("enqueued_at", "id")


def test_deadlines_skip_weekends_and_holidays(category, clock, policy):
    clock.set(2027, 4, 9)  # Friday
    grievance = lodge(category)
    # 21 working days from Fri 9 April, skipping weekends and the two holidays.
    assert grievance.resolve_due == date(2027, 5, 12)
    assert grievance.acknowledge_due == date(2027, 4, 15)  # Mon, then Thu after Songkran
    assert grievance.due_on == grievance.resolve_due
    # At risk 3 working days before: Fri 7 May.
    assert grievance.at_risk_on == date(2027, 5, 7)


def test_subtract_working_days_mirrors_add(category):
    holidays = {date(2027, 5, 3)}
    assert sla.subtract_working_days(date(2027, 5, 5), 3, holidays) == date(2027, 4, 29)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2027, 5, 6), SLAState.ON_TRACK),
        (date(2027, 5, 7), SLAState.AT_RISK),
        (date(2027, 5, 12), SLAState.AT_RISK),
        (date(2027, 5, 13), SLAState.BREACHED),
    ],
)
def test_sla_state_by_day_and_the_query_agrees(category, clock, today, expected):
    clock.set(2027, 4, 9)
    grievance = lodge(category)
    assert sla.state(grievance, today) == expected
    assert Grievance.objects.filter(sla.state_filter(expected, today), pk=grievance.pk).exists()
    for other in set(SLAState) - {expected}:
        assert not Grievance.objects.filter(sla.state_filter(other, today), pk=grievance.pk).exists(), other


def test_waiting_for_the_complainant_pauses_the_clock_and_the_wait_is_added(category, clock, officer):
    clock.set(2027, 4, 9)
    grievance = lodge(category)
    clock.set(2027, 5, 10)  # at risk
    services.grievance_request_information(grievance=grievance, user=officer, body="?", version=1)
    grievance = fresh(grievance)
    assert sla.state(grievance, date(2027, 5, 20)) == SLAState.PAUSED  # past the due date, but paused
    assert not Grievance.objects.filter(sla.state_filter(SLAState.BREACHED, date(2027, 5, 20))).exists()
    clock.set(2027, 5, 17)  # Monday, five working days later
    services.grievance_provide_information(grievance=grievance, body="here")
    grievance = fresh(grievance)
    assert grievance.due_on == date(2027, 5, 19)  # 12 May + 5 working days
    assert sla.state(grievance, date(2027, 5, 17)) == SLAState.AT_RISK


def test_closed_and_decided_cases_have_no_deadline(case, officer):
    services.grievance_resolve(grievance=case, user=officer, decision="not_upheld", reasons="r", version=1)
    assert sla.state(fresh(case), date(2099, 1, 1)) == SLAState.NONE


def escalations(grievance):
    return list(
        grievance.events.filter(kind__in=[K.SLA, K.ESCALATED]).order_by("id").values_list("payload__level", flat=True)
    )


def test_the_sweep_escalates_officer_then_supervisor_then_head_each_once(
    category, clock, officer, supervisor, head, second_officer
):
    clock.set(2027, 4, 9)
    grievance = lodge(category)
    services.grievance_assign(grievance=grievance, user=supervisor, assignee=officer, version=1)
    assert services.deadlines_sweep(today=date(2027, 5, 6)) == {"at_risk": 0, "breached": 0, "head": 0}

    assert services.deadlines_sweep(today=date(2027, 5, 7))["at_risk"] == 1
    assert escalations(grievance) == [1]
    tasks = escalation_tasks()
    assert [t.args_kwargs["args"][2] for t in tasks] == [[officer.pk]]

    assert services.deadlines_sweep(today=date(2027, 5, 13))["breached"] == 1
    assert fresh(grievance).breached_at is not None
    assert services.deadlines_sweep(today=date(2027, 5, 21))["head"] == 1  # more than 5 working days late
    assert escalations(grievance) == [1, 2, 3]
    notified = {t.args_kwargs["args"][1]: t.args_kwargs["args"][2] for t in escalation_tasks()}
    assert notified == {1: [officer.pk], 2: [supervisor.pk], 3: [head.pk]}


def test_running_the_sweep_again_changes_nothing(category, clock, supervisor, head):
    clock.set(2027, 4, 9)
    grievance = lodge(category)
    first = services.deadlines_sweep(today=date(2027, 6, 30))  # all three levels at once, in order
    assert first == {"at_risk": 1, "breached": 1, "head": 1}
    version, events, tasks = fresh(grievance).version, grievance.events.count(), escalation_tasks().count()
    assert services.deadlines_sweep(today=date(2027, 6, 30)) == {"at_risk": 0, "breached": 0, "head": 0}
    assert services.deadlines_sweep(today=date(2027, 7, 1)) == {"at_risk": 0, "breached": 0, "head": 0}
    assert (fresh(grievance).version, grievance.events.count(), escalation_tasks().count()) == (
        version,
        events,
        tasks,
    )
    assert tasks == 3
    assert escalations(grievance) == [1, 2, 3]


def test_a_later_deadline_starts_escalation_afresh(category, clock, officer):
    clock.set(2027, 4, 9)
    grievance = lodge(category)
    services.deadlines_sweep(today=date(2027, 5, 7))
    clock.set(2027, 5, 7)
    services.grievance_request_information(grievance=grievance, user=officer, body="?", version=1)
    assert services.deadlines_sweep(today=date(2027, 6, 30)) == {"at_risk": 0, "breached": 0, "head": 0}  # paused
    clock.set(2027, 5, 21)
    services.grievance_provide_information(grievance=grievance, body="ok")
    grievance = fresh(grievance)
    assert grievance.escalation_level == 0 and grievance.due_on > date(2027, 5, 12)


def test_sensitive_escalations_reach_focal_points_only(sensitive_category, clock, other_agency):
    from portal.models import Membership
    from tests.grievances.workspace.conftest import member

    plain = member(other_agency, Membership.Role.SUPERVISOR)
    focal = member(other_agency, Membership.Role.SUPERVISOR, focal_point=True)
    clock.set(2027, 4, 9)
    grievance = lodge(sensitive_category)
    services.deadlines_sweep(today=date(2027, 5, 13))
    notified = {pk for t in escalation_tasks() for pk in t.args_kwargs["args"][2]}
    assert focal.pk in notified and plain.pk not in notified
    assert grievance.events.filter(kind=K.ESCALATED).count() == 1


def test_the_escalation_email_names_the_case_but_not_the_complaint(case, officer, mailoutbox):
    from grievances.notifications import send_escalation

    Grievance.objects.filter(pk=case.pk).update(status=Status.IN_PROGRESS)
    send_escalation.call(case.pk, 2, [officer.pk])
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert case.reference in message.subject and f"/workspace/cases/{case.reference}/" in message.body
    assert "payment did not arrive" not in message.body and "Malee" not in message.body


def test_the_command_runs_once(category, capsys):
    from django.core.management import call_command

    call_command("sla_sweep", verbosity=2)
    assert "sla_sweep: at_risk=0 breached=0 head=0" in capsys.readouterr().out
