"""What the API reads and writes. Strings are cleaned of NUL bytes and refused when not valid Unicode."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field

from grievances.workflow import Status
from portal.lib.text import clean_text


def _clean(value: str) -> str:
    value = clean_text(value, strip=False)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("not valid Unicode text") from None
    return value


# What cleaning removes (Python's whitespace, NUL, bidi controls): a required text needs one character besides.
_BLANK = (
    "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\x00\u202a-\u202e\u2066-\u2069"
)
NOT_BLANK = f"[^{_BLANK}]"


def text(max_length: int, *, min_length: int = 0):
    pattern = NOT_BLANK if min_length else None
    return Annotated[str, Field(min_length=min_length, max_length=max_length, pattern=pattern), AfterValidator(_clean)]


# RFC 3339, as the document's `date-time` says: a date, a time and an offset. Pydantic alone would also
# take a bare number as Unix time or a date without a time.
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})", re.ASCII)


def _rfc3339(value):
    if not isinstance(value, str) or not RFC3339.fullmatch(value):
        raise ValueError("not a date and time like 2026-05-01T09:30:00Z (with the offset, no Unix time)")
    return value


def _utc(value: datetime) -> datetime:
    # The database takes offsets only within ±15 hours, and not every year: compare in UTC.
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("date and time out of range") from None


Instant = Annotated[
    datetime,
    BeforeValidator(_rfc3339),
    AfterValidator(_utc),
    Field(description="RFC 3339 date and time with its offset, e.g. `2026-05-01T09:30:00Z`."),
]


Version = Annotated[int, Field(ge=1, le=2_147_483_647, description="The case's `version` your change is based on.")]
StatusName = Literal[tuple(Status.values)]  # type: ignore[valid-type]


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
    language: str = Field(description="The language the person wrote in and reads their notices in (a code).")
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
    # The language the text is written in (one the portal offers); pages mark the text with it.
    language: text(10) = ""


class RemedyDecisionIn(Schema):
    version: Version
    decision: Literal["upheld", "partly_upheld"]
    reasons: text(10000, min_length=1)
    remedy: text(10000, min_length=1) = Field(description="What will be done for the complainant.")


class PlainDecisionIn(Schema):
    version: Version
    decision: Literal["not_upheld", "out_of_scope"]
    reasons: text(10000, min_length=1)
    remedy: text(10000) = ""


# An upheld or partly upheld decision says what will be done: the document shows it as one of two shapes.
DecisionIn = Annotated[RemedyDecisionIn | PlainDecisionIn, Field(discriminator="decision")]


class CloseIn(Schema):
    version: Version
    reason: text(5000) = ""


class ReturnIn(Schema):
    version: Version
    reasons: text(5000, min_length=1)


class LodgeIn(Schema):
    category: Annotated[
        int,
        Field(
            ge=1,
            le=2**62,
            description="The `id` of an active category from `/api/v1/categories`; a theme (a category's group) "
            "is not a category to lodge under and is refused with 400.",
        ),
    ]
    description: text(5000, min_length=1)
    channel: Literal["phone", "in_person", "paper"] = "phone"
    contact_preference: Literal["phone", "email", "none"] = Field(
        default="none",
        description="`phone` needs `contact_phone` and `email` needs `contact_email` (else 400), "
        "unless `anonymous` is true: then no contact is kept.",
    )
    contact_name: text(150) = ""
    contact_phone: text(32) = ""
    contact_email: text(254) = Field(default="", description="An e-mail address, or empty.")
    confidentiality: Literal["standard", "confidential"] = "standard"
    anonymous: bool = False
    occurred_on: date | None = Field(default=None, description="When it happened: today or earlier.")
    region: text(20) = Field(default="", description="A region `code`; an unknown code is refused with 400.")
    language: text(10) = Field(
        default="",
        description="The person's language, as a code of the portal's languages (`en`, `id`, `ms`, `th`, `vi`, `km`, "
        "`lo`, `my`, `fil`, `zh-hans`, `bn`, `ne`, `ur`, those the portal offers): their acknowledgement, notices "
        "and outcome letter come in it. Empty means the portal's default language; a code the portal does not offer "
        "is refused with 400.",
    )


class LodgedOut(Schema):
    reference: str
    pin: str | None = Field(
        description="Shown once: give it to the person with the reference. null when `replayed` is true."
    )
    status: str
    version: int
    replayed: bool = Field(default=False, description="The Idempotency-Key was seen before: this is its first case.")


class ThemeOut(Schema):
    id: str
    label: str
    size: int
    cases: list[str]
    emerging: bool


class ThemesOut(Schema):
    computed_at: datetime | None
    themes: list[ThemeOut]


class SimilarCaseOut(Schema):
    reference: str
    score: float


class SimilarOut(Schema):
    similar: list[SimilarCaseOut]
