"""How much do Suara's PDFs cost beyond WeasyPrint's own work, and how fast is a big consultation's report?

What it measures, in one run:

* ``letter_ms``: the outcome letter of a case with 30 public timeline
  events, made through the project's code (``grievances.letters.letter_render``:
  the case read through the complainant's gate, the public timeline query,
  the signed verification code, the template, and ``portal.lib.pdf.html_to_pdf``
  with its fetcher and checks), median of ``--runs`` in this process.
* ``bare_weasyprint_ms``: WeasyPrint alone on the very same HTML (its own
  default fetcher reading the stylesheet by ``file://``, the same PDF/UA
  options, and without ``portal.lib.pdf``'s two additions to its PDF writer), median of the same number of runs, interleaved with the above so
  that a noisy neighbour hits both alike.
* ``overhead_ratio``: ``letter_ms / bare_weasyprint_ms`` (goal: at most 1.3).
* ``th_ratio``, ``km_ratio``, ``ur_ratio`` (and ``th_ms``...): the same
  letter for a case written in Thai, in Khmer and in Urdu, rendered in that
  language (Urdu right to left), through Suara and by WeasyPrint alone on
  the same HTML, the same way; the quotient (goal: at most 1.3 each). These
  letters set their text in the script's own fonts (``pdf-scripts.css``)
  and pass through the two additions ``portal.lib.pdf`` makes to
  WeasyPrint's PDF writing (each passage's language in the tagged PDF, and
  the glyph text map of Khmer, Bengali, Devanagari and Myanmar fonts); the
  bare render runs without them, so their cost is in the quotient.
* ``report_seconds``: the outcome report of a consultation with
  ``--responses`` (default 10,000) responses, from the moment it is asked for
  (``consultations.services.outcome_report_request``) until the stored PDF is
  ready, rendered by a real ``manage.py db_worker`` that this script starts
  and stops (goal: under 5 s).
* ``report_peak_rss_mb``: that worker's peak resident memory (``VmHWM``),
  start-up included (goal: under 500 MB).

Run it from the project root::

    .venv/bin/python bench/pdf.py
    .venv/bin/python bench/pdf.py --responses 2000 --runs 5

Environment: ``DATABASE_URL`` (default
``postgres://root@127.0.0.1:5432/suara_pdf_bench``, created when missing,
migrated; the bench case and consultation are made once and reused). The last
line printed is::

    pdf: letter_ms=A bare_weasyprint_ms=B overhead_ratio=R th_ms=T th_ratio=TR km_ms=K km_ratio=KR ur_ms=U ur_ratio=UR report_seconds=C report_peak_rss_mb=M

preceded by one PASS/FAIL line per goal. Exit status 0 when measured
(``--strict``: 1 when a goal is missed), 2 when it could not be.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ would come first on sys.path, and bench/queue.py
# would hide the standard library's queue module from everything imported.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))

from bench.pages import BenchError, ensure_database, say  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://root@127.0.0.1:5432/suara_pdf_bench"
BIN = Path(sys.executable).parent
CASE_MARKER = "Made by bench/pdf.py"
CONSULTATION_SLUG = "bench-pdf-consultation"
TIMELINE_EVENTS = 30
GOALS = {
    "overhead_ratio": 1.3,
    "th_ratio": 1.3,
    "km_ratio": 1.3,
    "ur_ratio": 1.3,
    "report_seconds": 5.0,
    "report_peak_rss_mb": 500.0,
}
# A case written in each script the issue names, with the officer's messages in it too.
SCRIPT_CASES = {
    "th": (
        "ผู้รับประโยชน์ไม่ได้รับเงินโอนเดือนนี้ เจ้าหน้าที่บอกให้รอ โทรไปหลายครั้งแล้วแต่ไม่มีใครรับสาย บัญชีธนาคารถูกระงับโดยไม่มีการแจ้งล่วงหน้า ",
        "เราได้ตรวจสอบข้อมูลการโอนเงินกับธนาคารแล้ว",
    ),
    "km": (
        "ខ្ញុំមិនបានទទួលប្រាក់ឧបត្ថម្ភប្រចាំខែនេះទេ មន្ត្រីប្រាប់ឱ្យរង់ចាំ ខ្ញុំបានទូរស័ព្ទច្រើនដង គណនីធនាគារត្រូវបានបិទដោយគ្មានការជូនដំណឹង ",
        "យើងបានពិនិត្យកំណត់ត្រាការផ្ទេរប្រាក់ជាមួយធនាគារ",
    ),
    "ur": (
        "مجھے اس مہینے کی پنشن نہیں ملی\u06d4 دفتر والوں نے انتظار کرنے کو کہا\u06d4 میں نے کئی بار فون کیا "
        "لیکن کسی نے جواب نہیں دیا\u06d4 ",
        "ہم نے بینک کے ساتھ ادائیگی کا ریکارڈ چیک کر لیا ہے",
    ),
}
REPORT_TIMEOUT = 300


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import logging

    # WeasyPrint logs every step at INFO; the figures are what this script prints.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- the letter ------------------------------------------------------------------


def ensure_case(language: str = "en"):
    """A decided case with exactly 30 public timeline events (and internal notes between them), made once.

    ``language``: the bench's mixed Thai and Vietnamese case ("en"), or one
    written in the script of :data:`SCRIPT_CASES`.
    """
    from grievances import services
    from grievances.models import CaseEvent, Category, Grievance, SLAPolicy
    from portal.models import Membership, Organization, User

    marker = CASE_MARKER if language == "en" else f"{CASE_MARKER} ({language})"
    if language == "en":
        description = (
            f"{CASE_MARKER}. ผู้รับประโยชน์ไม่ได้รับเงินโอนเดือนนี้ Người thụ hưởng chưa nhận được tiền trợ cấp tháng này. " * 6
        )
        message = "we checked the payment records with the bank. ข้อมูลเพิ่มเติม"
    else:
        description = f"{marker}. " + SCRIPT_CASES[language][0] * 3
        message = SCRIPT_CASES[language][1]
    existing = Grievance.objects.filter(description__startswith=marker + ".", language=language).order_by("-pk").first()
    if existing is not None and CaseEvent.objects.filter(grievance=existing, public=True).count() == TIMELINE_EVENTS:
        return existing
    agency, _ = Organization.objects.get_or_create(
        slug="bench-pdf-agency",
        defaults={"name": "Bench Social Security Office", "kind": "government", "verified": True},
    )
    policy, _ = SLAPolicy.objects.get_or_create(name="Bench PDF policy")
    theme, _ = Category.objects.get_or_create(
        parent=None, name="Bench PDF payments", defaults={"agency": agency, "sla_policy": policy}
    )
    category, _ = Category.objects.get_or_create(parent=theme, name="Payment not received (bench)")
    officer, _ = User.objects.get_or_create(email="bench.pdf.officer@example.org", defaults={"display_name": "Bench"})
    Membership.objects.get_or_create(user=officer, organization=agency, role=Membership.Role.CASE_OFFICER)
    complainant, _ = User.objects.get_or_create(email="bench.pdf.complainant@example.org")
    grievance = services.grievance_lodge(
        category=category,
        complainant=complainant,
        contact_preference=Grievance.Contact.ACCOUNT,
        contact_name="Malee Srisuk",
        description=description,
        language=language,
    ).grievance

    def fresh():
        grievance.refresh_from_db()
        return grievance.version

    services.grievance_start(grievance=grievance, user=officer, version=fresh())
    while CaseEvent.objects.filter(grievance=grievance, public=True).count() < TIMELINE_EVENTS - 1:
        n = CaseEvent.objects.filter(grievance=grievance).count()
        services.grievance_add_note(grievance=grievance, user=officer, body=f"Internal note {n}", version=fresh())
        services.grievance_message(
            grievance=grievance,
            user=officer,
            body=f"Update {n}: {message} {n}.",
            version=fresh(),
        )
    services.grievance_resolve(
        grievance=grievance,
        user=officer,
        decision=Grievance.Decision.UPHELD,
        reasons="The transfer failed because the wallet number was mistyped by our office.",
        remedy="The missing payment will be paid within ten working days.",
        version=fresh(),
    )
    public = CaseEvent.objects.filter(grievance=grievance, public=True).count()
    if public != TIMELINE_EVENTS:
        raise BenchError(f"the bench case has {public} public events, not {TIMELINE_EVENTS}")
    return grievance


def bare_html(html: str) -> str:
    """The same HTML for WeasyPrint alone: its stylesheet by a path its own fetcher reads."""
    return html.replace('href="/static/', f'href="file://{ROOT}/static/')


@contextlib.contextmanager
def weasyprint_as_released():
    """WeasyPrint without the two additions ``portal.lib.pdf`` makes to it (process-wide), for the bare figure."""
    import weasyprint.pdf as weasyprint_pdf
    from weasyprint.pdf import tags

    patched = [(tags, "_build_box_tree"), (weasyprint_pdf, "build_fonts_dictionary")]
    saved = [(module, name, getattr(module, name)) for module, name in patched]
    try:
        for module, name, function in saved:
            setattr(module, name, getattr(function, "__wrapped__", function))
        yield
    finally:
        for module, name, function in saved:
            setattr(module, name, function)


def time_letter(grievance_pk: int, runs: int, language: str | None = None) -> tuple[float, float]:
    from django.db import reset_queries
    from weasyprint import HTML

    from grievances import letters
    from grievances.models import Grievance

    def project() -> bytes:
        grievance = Grievance.objects.select_related(
            "category__parent", "agency", "programme", "region", "lodged_by_organization", "complainant"
        ).get(pk=grievance_pk)
        return letters.letter_render(grievance, language=language)[0]

    html, _code = letters.letter_html(Grievance.objects.get(pk=grievance_pk), language=language)
    html = bare_html(html)

    def bare() -> bytes:
        with weasyprint_as_released():
            return HTML(string=html, base_url=f"file://{ROOT}/").write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)

    project(), bare()  # warm up: fonts, templates, CSS parsing caches
    ours, theirs = [], []
    for _ in range(runs):
        for measure, into in ((project, ours), (bare, theirs)):
            start = time.perf_counter()
            data = measure()
            into.append((time.perf_counter() - start) * 1000)
            reset_queries()
        if not data.startswith(b"%PDF-"):
            raise BenchError("the bare render did not make a PDF")
    say(f"  letter through Suara: {', '.join(f'{t:.0f}' for t in ours)} ms")
    say(f"  WeasyPrint alone:     {', '.join(f'{t:.0f}' for t in theirs)} ms")
    return statistics.median(ours), statistics.median(theirs)


# --- the report ------------------------------------------------------------------


def ensure_report_consultation(responses: int):
    """The bench consultation (10,000 responses by default), closed, with a published outcome."""
    from bench.consultation import ensure_consultation
    from consultations.models import ConsultationPage

    page = ensure_consultation(CONSULTATION_SLUG, responses)
    if not page.outcome:
        page.what_we_heard = [{"type": "paragraph", "value": "<p>Most respondents asked for wider coverage.</p>"}]
        page.outcome = [
            {"type": "paragraph", "value": "<p>The ministry will extend coverage to platform workers in 2027.</p>"}
        ]
        page.save_revision().publish()
        page = ConsultationPage.objects.get(pk=page.pk)
    return page


def start_worker(database_url: str, var_dir: str) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "DJANGO_"))}
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SUARA_VAR_DIR=var_dir,
        DJANGO_SETTINGS_MODULE="portal.settings",
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.05",
            "--no-startup-delay",
            "--no-reload",
            "--worker-id",
            "bench-pdf",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(var_dir) / "worker.log", "w"),
    )


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise BenchError("no VmHWM in /proc: this benchmark measures memory on Linux only")


def wait_until_idle(worker: subprocess.Popen, var_dir: str, timeout: float = 180) -> None:
    """Wait until the worker has started and drained the queue (Wagtail's index updates, then a ping)."""
    from django_tasks_db.models import DBTaskResult

    from portal.tasks import ping

    result = ping.enqueue()
    deadline = time.monotonic() + timeout
    while DBTaskResult.objects.filter(pk=result.id).exclude(status="SUCCESSFUL").exists():
        if worker.poll() is not None:
            raise BenchError(f"the task worker exited; see {var_dir}/worker.log")
        if time.monotonic() > deadline:
            raise BenchError(f"the task worker did not answer a ping within {timeout:.0f} s; see {var_dir}/worker.log")
        time.sleep(0.05)


def time_report(page, database_url: str, var_dir: str) -> tuple[float, float]:
    from consultations.models import OutcomeReport
    from consultations.services import outcome_report_request

    worker = start_worker(database_url, var_dir)
    try:
        wait_until_idle(worker, var_dir)
        start = time.perf_counter()
        report = outcome_report_request(consultation=page, force=True)  # autocommit: enqueued at once
        if report is None:
            raise BenchError("the bench consultation has no published outcome")
        deadline = time.monotonic() + REPORT_TIMEOUT
        while True:
            row = OutcomeReport.objects.filter(pk=report.pk).values("status", "progress", "pdf_size", "error").get()
            if row["status"] == OutcomeReport.Status.READY:
                break
            if row["status"] == OutcomeReport.Status.FAILED:
                raise BenchError(f"the report failed: {row['error']}")
            if time.monotonic() > deadline or worker.poll() is not None:
                raise BenchError(f"no report within {REPORT_TIMEOUT} s; see {var_dir}/worker.log")
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        rss = peak_rss_mb(worker.pid)
        stored = OutcomeReport.objects.get(pk=report.pk)
        picked_up = (stored.started_at - stored.requested_at).total_seconds()
        rendering = (stored.finished_at - stored.started_at).total_seconds()
        say(
            f"  report: {stored.pdf_size / 1024:.0f} KB PDF in {seconds:.2f} s: picked up after {picked_up:.2f} s, "
            f"rendered in {rendering:.2f} s; worker peak {rss:.0f} MB"
        )
        return seconds, rss
    finally:
        stop_worker(worker)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    try:
        ensure_database(database_url)
        setup_django(database_url)
        say("Migrating and preparing the bench case and consultation (reused when already there)...")
        migrate()
        grievance = ensure_case()
        page = ensure_report_consultation(args.responses)
        say(f"Letter of {grievance.reference} ({TIMELINE_EVENTS} public events), {args.runs} runs each:")
        letter_ms, bare_ms = time_letter(grievance.pk, args.runs)
        scripts = {}
        for language in SCRIPT_CASES:
            case = ensure_case(language)
            say(f"Letter of {case.reference} in {language} ({TIMELINE_EVENTS} public events), {args.runs} runs each:")
            scripts[language] = time_letter(case.pk, args.runs, language=language)
        say(f"Outcome report of a consultation with {args.responses} responses, through a db_worker:")
        with tempfile.TemporaryDirectory(prefix="suara-bench-pdf-") as var_dir:
            report_seconds, rss = time_report(page, database_url, var_dir)
    except BenchError as exc:
        say(f"bench/pdf.py: {exc}")
        return 2
    figures = {
        "letter_ms": round(letter_ms, 1),
        "bare_weasyprint_ms": round(bare_ms, 1),
        "overhead_ratio": round(letter_ms / bare_ms, 2),
        **{
            key: value
            for language, (ours, bare) in scripts.items()
            for key, value in ((f"{language}_ms", round(ours, 1)), (f"{language}_ratio", round(ours / bare, 2)))
        },
        "report_seconds": round(report_seconds, 2),
        "report_peak_rss_mb": round(rss, 1),
    }
    missed = False
    for key, goal in GOALS.items():
        ratio = key.endswith("ratio")
        ok = figures[key] <= goal if ratio else figures[key] < goal
        missed |= not ok
        say(f"{'PASS' if ok else 'FAIL'} {key}={figures[key]} (goal {'≤' if ratio else '<'} {goal})")
    say("pdf: " + " ".join(f"{key}={value}" for key, value in figures.items()))
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
