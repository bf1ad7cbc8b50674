"""Anonymisation keeps what monitoring counts: every figure is the same before and after."""

import dataclasses

from grievances.models import Grievance
from grievances.monitoring.indicators import Sensitive, compute
from grievances.privacy.models import Anonymisation
from grievances.privacy.services import grievances_anonymise
from tests.grievances.monitoring.conftest import scope


def test_every_monitoring_figure_is_unchanged_after_all_cases_are_anonymised(march_april, agency):
    before = [dataclasses.asdict(compute(scope(agency, sensitive=mode))) for mode in Sensitive]
    ids = list(Grievance.objects.values_list("pk", flat=True))
    assert len(grievances_anonymise(ids=ids, reason=Anonymisation.Reason.RETENTION)) == len(ids) >= 7
    after = [dataclasses.asdict(compute(scope(agency, sensitive=mode))) for mode in Sensitive]
    assert after == before
    assert Grievance.objects.filter(contact_name="").count() == len(ids)
