"""The frozen clock of the workspace tests leaves nothing frozen behind."""

from _pytest.monkeypatch import MonkeyPatch

from grievances.models import CaseEvent
from tests.grievances.workspace.conftest import Clock


def test_the_clock_gives_model_defaults_back_as_it_found_them():
    field = CaseEvent._meta.get_field("created_at")
    field.__dict__.pop("_get_default", None)  # as in a fresh process, before any event was made
    patch = MonkeyPatch()
    clock = Clock(patch)
    clock.set(2020, 1, 6)
    assert field._get_default().year == 2020
    patch.undo()
    assert field._get_default().year != 2020
