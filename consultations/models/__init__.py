"""Consultations, their responses, and organizations' position statements.

A package because one module had grown past what reads comfortably:

* ``pages``: the Wagtail page types (``ConsultationIndexPage`` →
  ``ConsultationPage``; ``OrganizationIndexPage`` → ``OrganizationPage`` →
  ``PositionStatementPage``), topics and the computed ``State``;
* ``responses``: ``Response`` with its ``ResponseChoice`` tallies,
  attachments and readers' reports, and the ``StakeholderGroup`` breakdown;
* ``followups``: who follows a consultation, which notices went out, the
  outcome report;
* ``coding``: the analysts' codes and the answers tagged with them.

``responses`` imports nothing from the others, ``pages`` reads
``responses``, ``followups`` points at ``pages``, ``coding`` at both. Import the models from
here (``from consultations.models import Response``): the split is an
arrangement of this package, not part of its interface.
"""

from consultations.models.coding import AnswerCode, Code
from consultations.models.followups import CLOSING_SOON, ConsultationFollow, ConsultationNotice, OutcomeReport
from consultations.models.pages import (
    ConsultationIndexPage,
    ConsultationPage,
    ConsultationQuerySet,
    OrganizationIndexPage,
    OrganizationPage,
    PositionStatementPage,
    State,
    Topic,
    owner_approvers_group_name,
)
from consultations.models.responses import (
    Response,
    ResponseAttachment,
    ResponseChoice,
    ResponseQuerySet,
    ResponseReport,
    StakeholderGroup,
)

__all__ = [
    "CLOSING_SOON",
    "AnswerCode",
    "Code",
    "ConsultationFollow",
    "ConsultationIndexPage",
    "ConsultationNotice",
    "ConsultationPage",
    "ConsultationQuerySet",
    "OrganizationIndexPage",
    "OrganizationPage",
    "OutcomeReport",
    "PositionStatementPage",
    "Response",
    "ResponseAttachment",
    "ResponseChoice",
    "ResponseQuerySet",
    "ResponseReport",
    "StakeholderGroup",
    "State",
    "Topic",
    "owner_approvers_group_name",
]
