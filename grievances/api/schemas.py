"""What the API reads and writes. Strings are cleaned of NUL bytes and refused when not valid Unicode."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, Field

from grievances.models import Grievance
from grievances.workflow import Status
from portal.lib.text import clean_text


def _clean(value: str) -> str:
    value = clean_text(value, strip=False)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode text") from None
    return value


def text(max_length: int, *, min_length: int = 0):
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(_clean)]


Version = Annotated[int, Field(ge=1, le=2_147_483_647, description="The case's `version` your change is based on.")]
StatusName = Literal[tuple(Status.values)]  # type: ignore[valid-type]
DecisionName = Literal[tuple(Grievance.Decision.values)]  # type: ignore[valid-type]


class OrganizationOut(Schema):
    slug: str
    name: str


class TokenOut(Schema):
    name: str
    scope: str
    sensitive: bool
    organization: OrganizationOut


class CategoryOut(Schema):
    id: int
    name: str
    theme: str
    description: str
    sensitive: bool


class CaseSummary(Schema):
    reference: str
    status: str
    category_id: int
    agency: str
    referred_to: str | None
    channel: str
    lodged_at: datetime
    due_on: date | None
    version: int
    updated_at: datetime


class CasePage(Schema):
    items: list[CaseSummary]
    next_after: int | None = Field(description="Pass as `after` for the next page; null on the last page.")


class EventOut(Schema):
    id: int
    kind: str
    internal: bool
    actor: str
    body: str
    status_after: str
    created_at: datetime


class IdentityOut(Schema):
    anonymous: bool = False
    withheld: bool = False
    name: str = ""
    phone: str = ""
    email: str = ""
    member_name: str = ""


class CaseOut(CaseSummary):
    description: str
    category: CategoryOut
    region: str | None
    programme: str | None
    occurred_on: date | None
    people_affected: int
    acknowledge_due: date | None
    resolve_due: date | None
    appeal_due: date | None
    resolved_at: datetime | None
    closed_at: datetime | None
    decision: str
    decision_reasons: str
    remedy: str
    identity: IdentityOut
    events: list[EventOut]


class ChangeOut(EventOut):
    case: str


class ChangePage(Schema):
    items: list[ChangeOut]
    cursor: int = Field(description="Pass as `after` next time; unchanged when nothing new happened.")


class ActionOut(Schema):
    reference: str
    status: str
    version: int
    event: EventOut


class VersionIn(Schema):
    version: Version


class BodyIn(Schema):
    version: Version
    body: text(5000, min_length=1)


class DecisionIn(Schema):
    version: Version
    decision: DecisionName
    reasons: text(10000, min_length=1)
    remedy: text(10000) = ""


class CloseIn(Schema):
    version: Version
    reason: text(5000) = ""


class ReturnIn(Schema):
    version: Version
    reasons: text(5000, min_length=1)


class LodgeIn(Schema):
    category: Annotated[int, Field(ge=1, le=2**62)]
    description: text(5000, min_length=1)
    channel: Literal["phone", "in_person", "paper"] = "phone"
    contact_preference: Literal["phone", "email", "none"] = "none"
    contact_name: text(150) = ""
    contact_phone: text(32) = ""
    contact_email: text(254) = ""
    confidentiality: Literal["standard", "confidential"] = "standard"
    anonymous: bool = False
    occurred_on: date | None = None
    region: text(20) = ""
    language: text(10) = "en"


class LodgedOut(Schema):
    reference: str
    pin: str | None = Field(
        description="Shown once: give it to the person with the reference. null when `replayed` is true."
    )
    status: str
    version: int
    replayed: bool = Field(default=False, description="The Idempotency-Key was seen before: this is its first case.")
