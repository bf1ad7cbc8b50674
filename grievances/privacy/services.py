"""The writers of personal-data changes on cases: anonymisation, legal holds, the retention sweep.

Anonymisation is the one sanctioned writer that rewrites the append-only
timeline's bodies (through the base manager, past ``CaseEventQuerySet``'s
guard), and it leaves an :class:`~grievances.privacy.models.Anonymisation`
record for each case. What it removes: the complainant's identity and
contact (name, phone, e-mail, member's name, the link to their account, the
PIN), the identifiers inside free text (description, decision, remedy,
messages, referral reasons: see ``scrub``), attachments (rows and stored
files) and issued outcome letters (they print the name). What it keeps: the
case, its category, region, agency, channel, dates, status, decision, the
sex or gender given for monitoring, and every timeline event (kind, time,
visibility, status): the monitoring figures are the same before and after.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from grievances import rules
from grievances.models import Attachment, CaseAccess, CaseEvent, Grievance, OutcomeLetter, Referral, ThrottleHit
from grievances.privacy.models import Anonymisation, LegalHold, RetentionPolicy, RetentionWarning
from grievances.privacy.policies import WARNING_DAYS, Policies
from grievances.privacy.tasks import send_retention_warning
from grievances.reference import Category
from grievances.workflow import CLOSED_STATES
from portal import registry
from portal.lib import datakeys
from portal.lib.scrub import scrub
from portal.lib.text import clean_text
from portal.lib.uploads import delete_private
from portal.models import SentMessage

log = logging.getLogger("suara.privacy")
Kind = RetentionPolicy.Kind
UNUSABLE_PIN = "!anonymised"
BATCH_SIZE = 200

ACTIVE_HOLD = Exists(LegalHold.objects.filter(grievance=OuterRef("pk"), lifted_at__isnull=True))


# --- which cases are due --------------------------------------------------------------


def _category_cutoffs(policies: Policies, now) -> dict[int, tuple]:
    rows = Category.objects.values_list("pk", "parent_id", "sensitive", "parent__sensitive")
    return {
        pk: policies.for_category(pk, parent, bool(sensitive or parent_sensitive))
        for pk, parent, sensitive, parent_sensitive in rows
    }


def due_condition(policies: Policies, now, *, ahead: timedelta = timedelta(0)) -> tuple[Q, dict[int, str]]:
    """Closed cases whose retention ends by ``now + ahead``: a condition, and each category's policy label."""
    by_days: dict[int, list[int]] = {}
    labels: dict[int, str] = {}
    for category_id, policy in _category_cutoffs(policies, now).items():
        by_days.setdefault(policy.keep_days, []).append(category_id)
        labels[category_id] = policy.label
    condition = Q(pk__in=[])
    for days, categories in by_days.items():
        condition |= Q(category_id__in=categories, closed_at__lte=now + ahead - timedelta(days=days))
    return condition, labels


def cases_due(*, now=None, policies: Policies | None = None, ahead: timedelta = timedelta(0)):
    """Closed, not anonymised, not on hold, past (or within ``ahead`` of) their retention; and the policy labels."""
    now = now or timezone.now()
    policies = policies or Policies()
    condition, labels = due_condition(policies, now, ahead=ahead)
    queryset = (
        Grievance.objects.filter(status__in=CLOSED_STATES, closed_at__isnull=False)
        .filter(condition)
        .filter(anonymisation__isnull=True)
        .exclude(ACTIVE_HOLD)
    )
    return queryset, labels


# --- anonymisation --------------------------------------------------------------------


def _names(grievance: Grievance) -> list[str]:
    names = [grievance.contact_name, grievance.member_name]
    if grievance.complainant_id and grievance.complainant:
        names += [grievance.complainant.get_full_name(), getattr(grievance.complainant, "display_name", "")]
    return [name for name in names if name]


def _stored(grievance: Grievance, text: str) -> str:
    """A narrative as the column holds it: sealed when the case's narratives are (as the field would on save)."""
    return datakeys.seal_text(text) if grievance.narrative_sealed and text else text


def _update_rows(model, columns: list[tuple[str, str]], rows: list[tuple], *, constants: str = "") -> None:
    """Write each row's own values into ``columns`` (name, SQL type), the row's id last; ``constants`` for all.

    One statement for the batch on PostgreSQL (``UPDATE … FROM (VALUES …)``:
    planned once), one pipelined statement per row elsewhere. Django's
    ``bulk_update`` builds a CASE per column and row, which cost most of an
    anonymisation batch.
    """
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    extra = f", {constants}" if constants else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = [f"c{index}" for index in range(len(columns))]
            assignments = ", ".join(
                f"{column} = v.{name}" for (column, _type), name in zip(columns, names, strict=True)
            )
            row_sql = "(" + ", ".join(f"%s::{kind}" for _column, kind in columns) + ", %s::bigint)"
            values = ", ".join([row_sql] * len(rows))
            sql = (
                f"UPDATE {table} AS t SET {assignments}{extra} "  # noqa: S608 - our own names
                f"FROM (VALUES {values}) AS v({', '.join(names)}, id) WHERE t.id = v.id"
            )
            cursor.execute(sql, [value for row in rows for value in row])
        else:
            assignments = ", ".join(f"{column} = %s" for column, _type in columns)
            sql = f"UPDATE {table} SET {assignments}{extra} WHERE id = %s"  # noqa: S608 - our own names
            cursor.executemany(sql, rows)


def grievances_anonymise(
    *, ids: Iterable[int], reason: str, policy_labels: dict[int, str] | None = None, by=None
) -> list[int]:
    """Anonymise the given cases in one transaction (all of them or none); the ids actually anonymised.

    Cases locked by another sweep are skipped (``SKIP LOCKED``), as are cases
    already anonymised or on legal hold, so two sweeps at once never do a case
    twice. The stored files are deleted after the commit.
    """
    ids = list(ids)
    if not ids:
        return []
    policy_labels = policy_labels or {}
    files: list[str] = []
    try:
        with transaction.atomic():
            cases = list(
                Grievance.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=ids, anonymisation__isnull=True)
                .exclude(ACTIVE_HOLD)
                .select_related("complainant")
                .order_by("pk")
            )
            if not cases:
                return []
            by_id = {case.pk: case for case in cases}
            names = {case.pk: _names(case) for case in cases}
            texts = {case.pk: 0 for case in cases}
            now = timezone.now()
            for case in cases:
                for field in ("description", "decision_reasons", "remedy"):
                    before = getattr(case, field)
                    after = scrub(before, names=names[case.pk])
                    texts[case.pk] += after != before
                    setattr(case, field, after)
            _update_rows(
                Grievance,
                [("description", "text"), ("decision_reasons", "text"), ("remedy", "text")],
                [(_stored(case, case.description), case.decision_reasons, case.remedy, case.pk) for case in cases],
                constants=(
                    "contact_name = '', contact_phone = '', contact_email = '', member_name = '', "
                    f"complainant_id = NULL, lodged_by_id = NULL, pin_hash = '{UNUSABLE_PIN}', version = version + 1"
                ),
            )
            events = list(
                CaseEvent._base_manager.filter(grievance_id__in=by_id)
                .filter(~Q(body="") | Q(actor__isnull=False))
                .only("pk", "grievance_id", "body", "actor_id")
            )
            changed = []
            for event in events:
                case = by_id[event.grievance_id]
                before = event.body
                after = scrub(before, names=names[case.pk])
                touched = after != before
                if event.actor_id and event.actor_id == case.complainant_id:
                    event.actor_id = None
                    touched = True
                if touched:
                    texts[case.pk] += after != before
                    changed.append((_stored(case, after), event.actor_id, event.pk))
            if changed:
                # Past the timeline's append-only guard: the one sanctioned rewrite (see the module's docstring).
                _update_rows(CaseEvent, [("body", "text"), ("actor_id", "bigint")], changed)
            referrals = list(
                Referral.objects.filter(grievance_id__in=by_id).only("pk", "grievance_id", "reasons", "outcome_reasons")
            )
            if referrals:
                _update_rows(
                    Referral,
                    [("reasons", "text"), ("outcome_reasons", "text")],
                    [
                        (
                            scrub(referral.reasons, names=names[referral.grievance_id]),
                            scrub(referral.outcome_reasons, names=names[referral.grievance_id]),
                            referral.pk,
                        )
                        for referral in referrals
                    ],
                )
            attachments = list(
                Attachment.objects.filter(grievance_id__in=by_id).values_list("grievance_id", "storage_name")
            )
            deleted = {case.pk: 0 for case in cases}
            for grievance_id, storage_name in attachments:
                deleted[grievance_id] += 1
                files.append(storage_name)
            if attachments:
                Attachment.objects.filter(grievance_id__in=by_id).delete()
            OutcomeLetter.objects.filter(grievance_id__in=by_id).delete()
            Anonymisation.objects.bulk_create(
                [
                    Anonymisation(
                        grievance_id=case.pk,
                        reason=reason,
                        policy=policy_labels.get(case.category_id, "")[:200],
                        at=now,
                        by=by,
                        fields_cleared=4,
                        texts_scrubbed=texts[case.pk],
                        attachments_deleted=deleted[case.pk],
                    )
                    for case in cases
                ]
            )
            # What wings keep beside the case (the SMS line's sealed number of an anonymous case).
            registry.cases_anonymised(list(by_id))
            transaction.on_commit(lambda: _delete_files(files))
    except IntegrityError:
        # Another sweep anonymised one of them first (the audit record is one per case): nothing was written here.
        log.info("anonymisation batch skipped: another run got there first")
        return []
    return [case.pk for case in cases]


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            delete_private(name)
        except OSError:  # pragma: no cover - reported; the row is gone, the file is orphaned
            log.exception("attachment file could not be deleted")


# --- legal holds --------------------------------------------------------------------------


def _check_supervisor(user, grievance: Grievance) -> None:
    visible = Grievance.objects.visible_to(user).filter(pk=grievance.pk).exists()
    if not visible or not rules.is_supervisor_of(user, rules.acting_agency_id(grievance)):
        raise PermissionDenied(_("Only a supervisor of the agency handling this case can do this."))


@transaction.atomic
def legal_hold_place(*, grievance: Grievance, user, reason: str) -> LegalHold:
    """Keep a case from anonymisation, with a reason; shown in the case's access log."""
    _check_supervisor(user, grievance)
    reason = clean_text(reason, limit=2000, field="reason")
    if not reason:
        raise ValidationError({"reason": _("Please give the reason for the hold.")})
    if LegalHold.objects.filter(grievance=grievance, lifted_at__isnull=True).exists():
        raise ValidationError({"reason": _("This case is already on hold.")})
    hold = LegalHold.objects.create(grievance=grievance, reason=reason, placed_by=user)
    CaseAccess.objects.create(grievance=grievance, user=user, what="legal hold")
    return hold


@transaction.atomic
def legal_hold_lift(*, grievance: Grievance, user) -> LegalHold:
    """End a case's hold; the retention policy applies again from the next sweep."""
    _check_supervisor(user, grievance)
    hold = LegalHold.objects.select_for_update().filter(grievance=grievance, lifted_at__isnull=True).first()
    if hold is None:
        raise ValidationError({"reason": _("This case is not on hold.")})
    hold.lifted_at, hold.lifted_by = timezone.now(), user
    hold.save(update_fields=["lifted_at", "lifted_by"])
    CaseAccess.objects.create(grievance=grievance, user=user, what="hold lifted")
    return hold


# --- the sweep ------------------------------------------------------------------------------


def records_sweep(*, policies: Policies, now, dry_run: bool) -> dict[str, int]:
    """Delete the records that are not cases once their period is over; counts per kind."""
    targets = {
        "access_logs": CaseAccess.objects.filter(at__lt=now - timedelta(days=policies.days(Kind.ACCESS_LOGS))),
        "throttle": ThrottleHit.objects.filter(created_at__lt=now - timedelta(days=policies.days(Kind.THROTTLE))),
        "sessions": Session.objects.filter(expire_date__lt=now - timedelta(days=policies.days(Kind.SESSIONS))),
        "tasks": DBTaskResult.objects.filter(
            finished_at__isnull=False, finished_at__lt=now - timedelta(days=policies.days(Kind.TASKS))
        ),
        "sms": SentMessage.objects.filter(sent_at__lt=now - timedelta(days=policies.days(Kind.SMS))),
    }
    counts = {}
    for kind, queryset in targets.items():
        if dry_run:
            counts[kind] = queryset.count()
        else:
            counts[kind] = queryset.delete()[0]
    return counts


def warnings_send(*, now, policies: Policies, dry_run: bool) -> int:
    """Record and announce (once per case) the cases entering the warning period; how many."""
    queryset, _labels = cases_due(now=now, policies=policies, ahead=timedelta(days=WARNING_DAYS))
    pending = queryset.filter(retention_warning__isnull=True)
    if dry_run:
        return pending.count()
    by_agency: dict[int, list[str]] = {}
    with transaction.atomic():
        rows = list(
            pending.select_for_update(skip_locked=True, of=("self",)).values_list("pk", "agency_id", "reference")
        )
        RetentionWarning.objects.bulk_create(
            [RetentionWarning(grievance_id=pk, at=now) for pk, _agency, _reference in rows], ignore_conflicts=True
        )
        for _pk, agency_id, reference in rows:
            by_agency.setdefault(agency_id, []).append(reference)
        day = timezone.localdate(now).isoformat()
        for agency_id, references in by_agency.items():
            transaction.on_commit(
                lambda agency_id=agency_id, references=references: send_retention_warning.enqueue(
                    agency_id, references[:500], day
                )
            )
    return len(rows)


def retention_sweep(*, now=None, dry_run: bool = False, batch_size: int = BATCH_SIZE, limit: int | None = None) -> dict:
    """Anonymise every case past its retention (in batches) and delete other expired records.

    Idempotent, and safe to run twice at once: each batch locks its cases with
    ``SKIP LOCKED`` and re-checks them; the audit record is one per case.
    """
    now = now or timezone.now()
    policies = Policies()
    queryset, labels = cases_due(now=now, policies=policies)
    result = {"cases": 0, "would_anonymise": 0}
    if dry_run:
        result["would_anonymise"] = queryset.count()
    else:
        # The due cases are found once (one scan of the closed cases), then taken batch by batch:
        # asking again for each batch cost a scan per batch on a million cases. Each batch is
        # re-checked under its lock, so a case anonymised or held meanwhile is skipped.
        due = queryset.order_by("pk").values_list("pk", flat=True)
        ids = list(due if limit is None else due[:limit])
        for start in range(0, len(ids), batch_size):
            result["cases"] += len(
                grievances_anonymise(
                    ids=ids[start : start + batch_size], reason=Anonymisation.Reason.RETENTION, policy_labels=labels
                )
            )
    result["warned"] = warnings_send(now=now, policies=policies, dry_run=dry_run)
    result.update(records_sweep(policies=policies, now=now, dry_run=dry_run))
    # Records kept by other apps (consultation responses) and wings (the SMS line's texts and
    # conversations), through portal.registry: grievances imports no other app, the core no wing.
    keep_days = {kind.value: policies.days(kind) for kind in (Kind.CONSULTATION_RESPONSES, Kind.SMS)}
    result.update(registry.retention_jobs(keep_days=keep_days, now=now, dry_run=dry_run))
    return result
