"""A person's data as one export: the same records as JSON (by key) and as a readable PDF (by label).

Each app describes what it keeps about a person as a :class:`DataSection` of
:class:`DataRecord` rows; :func:`as_json` keys them for machines and the PDF
template reads the labels. Knows no app and no person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class DataRecord:
    title: str
    # (key, label, value): the key for JSON, the label for people.
    fields: list[tuple[str, str, object]] = field(default_factory=list)
    entries: list[DataRecord] = field(default_factory=list)
    entries_key: str = "entries"
    entries_label: str = ""


@dataclass
class DataSection:
    key: str
    title: str
    records: list[DataRecord] = field(default_factory=list)


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _record(record: DataRecord) -> dict:
    data = {key: _value(value) for key, _label, value in record.fields}
    if record.entries:
        data[record.entries_key] = [_record(entry) for entry in record.entries]
    return data


def as_json(sections: list[DataSection]) -> dict:
    return {section.key: [_record(record) for record in section.records] for section in sections}
