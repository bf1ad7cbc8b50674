"""The workspace in the reader's language: queue tabs, counts in sentences, the case's own language marked."""

import pytest
from django.contrib.messages import get_messages
from django.utils import translation

from grievances.models import Grievance
from grievances.workspace import selectors
from tests import pseudo
from tests.grievances.workspace.conftest import lodge
from tests.pseudo import in_pseudo_locale, pseudo_locale  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_queue_tabs_are_translated(in_pseudo_locale, staff_client, officer, agency, category):  # noqa: F811
    lodge(category)
    # A signed-in officer reads in their own preferred language (portal.middleware).
    officer.preferred_language = in_pseudo_locale
    officer.save(update_fields=["preferred_language"])
    client = staff_client(officer)
    html = client.get(f"/workspace/queue/{agency.slug}/?tab=awaiting").content.decode()
    for english in ("All open", "Awaiting complainant", "Referred to us", "Unassigned"):
        assert pseudo.pseudo(english) in html, english
        assert f">{english} (" not in html
    # The current tab's name again in the sentence under the tabs.
    assert html.count(pseudo.pseudo("Awaiting complainant")) >= 2


def test_queue_tab_labels_are_extracted_for_translators(tmp_path):
    catalogue = pseudo.extract(pseudo.PROJECT_DIR, tmp_path)
    extracted = {entry.msgid for entry in catalogue if entry.msgctxt == "queue tab"}
    # The core's tabs; wings add their own (the privacy wing's "Due for anonymisation").
    assert {str(label) for label in selectors.TAB_LABELS.values()} <= extracted


def test_counts_in_the_queue_are_grouped_per_language(settings):
    settings.LANGUAGES = [("en", "English"), ("id", "Bahasa Indonesia")]
    over = selectors.COUNT_CAP + 1  # 1,000 and more are shown as "1,000+"
    with translation.override("en"):
        assert selectors.count_label(over) == "1,000+"
    with translation.override("id"):
        assert selectors.count_label(over) == "1.000+"


@pytest.mark.parametrize(("cases", "expected"), [(1, "1 case assigned."), (2, "2 cases assigned.")])
def test_bulk_assignment_counts_are_plural_aware(staff_client, supervisor, officer, category, agency, cases, expected):
    chosen = [lodge(category) for _ in range(cases)]
    response = staff_client(supervisor).post(
        f"/workspace/queue/{agency.slug}/assign/",
        {"assignee": officer.pk, "cases": [f"{case.pk}:1" for case in chosen]},
    )
    assert expected in [str(message) for message in get_messages(response.wsgi_request)]


def test_the_queue_sentence_is_plural_aware(staff_client, officer, category, agency):
    lodge(category)
    html = staff_client(officer).get(f"/workspace/queue/{agency.slug}/").content.decode()
    assert "1 case in “All open”" in html
    lodge(category)
    selectors.cache.clear()
    html = staff_client(officer).get(f"/workspace/queue/{agency.slug}/").content.decode()
    assert "2 cases in “All open”" in html


def test_the_complaint_is_marked_with_its_own_language_for_staff(staff_client, officer, case):
    Grievance.objects.filter(pk=case.pk).update(language="th", lodged_language="th")
    html = staff_client(officer).get(f"/workspace/cases/{case.reference}/").content.decode()
    assert '<div class="card" dir="auto" lang="th">' in html
    # The officer's interface stays in the officer's language.
    assert '<html lang="en"' in html


def test_references_read_left_to_right_inside_right_to_left_pages(settings, staff_client, officer, case, agency):
    settings.LANGUAGES = [("en", "English"), ("ur", "اردو")]
    officer.preferred_language = "ur"
    officer.save(update_fields=["preferred_language"])
    client = staff_client(officer)
    html = client.get(f"/workspace/cases/{case.reference}/").content.decode()
    assert 'dir="rtl"' in html[:300]
    assert f'<bdi dir="ltr">{case.reference}</bdi>' in html
    queue = client.get(f"/workspace/queue/{agency.slug}/").content.decode()
    assert f'<bdi dir="ltr">{case.reference}</bdi>' in queue


@pytest.mark.parametrize(("people", "expected"), [(1, "(1 person affected)"), (40, "(40 people affected)")])
def test_people_affected_is_plural_aware(staff_client, officer, case, union, people, expected):
    Grievance.objects.filter(pk=case.pk).update(lodged_by_organization=union, people_affected=people)
    html = staff_client(officer).get(f"/workspace/cases/{case.reference}/").content.decode()
    assert expected in html


def test_the_reference_in_the_page_title_is_isolated_left_to_right(staff_client, officer, case):
    html = staff_client(officer).get(f"/workspace/cases/{case.reference}/").content.decode()
    # No markup can go in a <title>: the isolate marks U+2066 ... U+2069 do the same.
    title = html[html.index("<title>") : html.index("</title>")]
    assert f"\u2066{case.reference}\u2069" in title
