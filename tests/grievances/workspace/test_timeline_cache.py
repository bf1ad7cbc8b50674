"""Staff timeline entries are rendered once and kept; what is kept is what would be rendered now."""

from django.core.cache import cache
from django.template.loader import render_to_string

from grievances import services, timeline
from tests.factories import HOSTILE
from tests.grievances.workspace.conftest import lodge


def fresh_html(grievance, event):
    timeline.label_events([event])
    return render_to_string(timeline.STAFF_EVENT_TEMPLATE, {"event": event, "grievance": grievance})


def test_a_kept_entry_is_the_entry_rendered_now(category, officer):
    cache.clear()
    grievance = lodge(category)
    services.grievance_add_note(grievance=grievance, user=officer, body=HOSTILE, version=grievance.version)
    first = timeline.staff_timeline(grievance)
    kept = timeline.staff_timeline(grievance)
    assert [str(event.html) for event in kept] == [str(event.html) for event in first]
    assert [str(event.html) for event in kept] == [fresh_html(grievance, event) for event in kept]
    assert "<script>alert" not in "".join(str(event.html) for event in kept)


def test_renaming_the_author_renders_their_entries_again(category, officer):
    cache.clear()
    grievance = lodge(category)
    services.grievance_add_note(grievance=grievance, user=officer, body="Checked.", version=grievance.version)
    before = timeline.staff_timeline(grievance)[-1].html
    officer.display_name = "Somchai Renamed"
    officer.save(update_fields=["display_name"])
    after = timeline.staff_timeline(grievance)[-1].html
    assert "Somchai Renamed" in after and "Somchai Renamed" not in before


def test_the_page_works_with_the_cache_down(staff_client, category, officer, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    grievance = lodge(category)
    services.grievance_add_note(grievance=grievance, user=officer, body="Still shown.", version=grievance.version)
    response = staff_client(officer).get(f"/workspace/cases/{grievance.reference}/")
    assert response.status_code == 200
    assert "Still shown." in response.content.decode()
