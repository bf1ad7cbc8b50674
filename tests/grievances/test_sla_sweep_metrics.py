"""The deadline sweep counts newly breached cases for the operators' alert (docs/operations.md)."""

from django.core.management import call_command
from prometheus_client import REGISTRY

from grievances.management.commands import sla_sweep


def breaches() -> float:
    return REGISTRY.get_sample_value("suara_sla_breaches_total") or 0.0


def test_newly_breached_cases_are_counted_once(monkeypatch):
    results = iter([{"at_risk": 1, "breached": 3, "head": 0}, {"at_risk": 0, "breached": 0, "head": 0}])
    monkeypatch.setattr(sla_sweep, "deadlines_sweep", lambda: next(results))
    before = breaches()
    call_command("sla_sweep")
    call_command("sla_sweep")  # idempotent: the second round finds nothing new
    assert breaches() == before + 3
