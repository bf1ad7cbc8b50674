"""Key rotation: every sealed column and every private file, sealed again under the current data key.

Knows no app: the columns are found by their field type in Django's model
registry, the files by walking ``PRIVATE_MEDIA_ROOT``. Each batch of rows
is its own short statement, so the portal keeps running meanwhile (what it
writes is already under the current key); a pass stopped half-way is
finished by the next (values already under the current key are skipped).
Only when a pass reports nothing left under an old key may that key be
removed from ``SUARA_DATA_KEYS``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings

from portal.lib import datakeys
from portal.lib.encrypted import (
    EncryptedBinaryField,
    EncryptedTextField,
    SealableTextField,
    reseal_binary_column,
    reseal_column,
)
from portal.lib.uploads import reseal_private


@dataclass
class RotationReport:
    columns: dict[str, int] = field(default_factory=dict)
    files: int = 0
    remaining: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(self.columns.values())


def sealed_columns() -> Iterator[tuple[type, str, bool]]:
    """(model, field name, whether clear values are sealed too) for every sealed column of every model."""
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, EncryptedTextField):
                yield model, model_field.name, True
            elif isinstance(model_field, SealableTextField):
                # Whether a clear value should be sealed is the row's say; rotation only moves sealed ones.
                yield model, model_field.name, False


def private_files() -> Iterator[str]:
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    if not root.exists():
        return
    for directory, _dirs, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith(".resealing"):
                yield str((Path(directory) / name).relative_to(root))


def old_key_count(model, name: str) -> int:
    current = f"{datakeys.TEXT_PREFIX}{datakeys.keyring().current_id}:"
    return (
        model._base_manager.filter(**{f"{name}__startswith": datakeys.TEXT_PREFIX})
        .exclude(**{f"{name}__startswith": current})
        .count()
    )


def rotate_keys(*, batch_size: int = 1000, files: bool = True, progress: Callable[[str], None] | None = None):
    """Seal every sealed column and private file under the current key; what was written, and what is left."""
    report = RotationReport()
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, EncryptedBinaryField):
                label = f"{model._meta.label}.{model_field.name}"
                report.columns[label] = reseal_binary_column(model._base_manager.all(), model_field.name)
    for model, name, seal_clear in sealed_columns():
        label = f"{model._meta.label}.{name}"
        report.columns[label] = reseal_column(
            model._base_manager.all(), name, seal_clear=seal_clear, batch_size=batch_size
        )
        report.remaining[label] = old_key_count(model, name)
        if progress:
            progress(f"{label}: {report.columns[label]} sealed again")
    if files:
        for name in private_files():
            report.files += reseal_private(name)
    return report
