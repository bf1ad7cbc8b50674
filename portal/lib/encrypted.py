"""Model fields whose values are sealed at rest with the data keys (:mod:`portal.lib.datakeys`).

* :class:`EncryptedTextField`: always sealed (a name, a phone number, an
  e-mail address). The column is text; ``max_length`` is kept for forms and
  validation only, since the ciphertext is longer than the value.
* :class:`SealableTextField`: sealed when the row says so (a narrative is
  sealed when its case is in a sensitive category), in clear otherwise so
  that it stays searchable. The row's say is an attribute named by
  ``sealed_when`` (a property or a field of the model), read at save time.

Python code only ever sees clear text: values are opened as they are read.
A sealed value is never equal to another in SQL (each has its own nonce), so
these fields are not for lookups other than ``= ""``; a lookup that needs to
match must use a keyed hash (``portal.lib.sealed.keyed_hash``) of its own.
Queryset ``update()`` does not know the row: pass :class:`Seal` (sealed) or
:class:`Ciphertext` (already sealed, stored as it is); a plain string given
to a sealable field there is stored in clear.
"""

from __future__ import annotations

from django.db import connections, models
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from portal.lib import datakeys


class Seal(str):
    """A clear value that must be stored sealed."""

    __slots__ = ()


class Ciphertext(str):
    """A value that is already sealed (key rotation copies these): stored as it is."""

    __slots__ = ()


def _opened(value):
    if isinstance(value, str) and not isinstance(value, Ciphertext) and datakeys.is_sealed(value):
        return datakeys.open_text(value)
    return value


class _SealedText(models.TextField):
    def from_db_value(self, value, expression, connection):
        return _opened(value)

    def _store(self, value, *, seal: bool):
        if value is None or value == "":
            return value
        if isinstance(value, Ciphertext):
            return str(value)
        value = str(value)
        # A clear value that looks like a sealed one would be misread: seal it too.
        if seal or datakeys.is_sealed(value):
            return datakeys.seal_text(value)
        return value


class EncryptedTextField(_SealedText):
    """Text that is always sealed at rest (empty stays empty)."""

    def get_prep_value(self, value):
        return self._store(super().get_prep_value(value), seal=True)


class SealableTextField(_SealedText):
    """Text sealed at rest when ``getattr(row, sealed_when)`` is true at save time."""

    def __init__(self, *args, sealed_when: str = "", **kwargs):
        self.sealed_when = sealed_when
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sealed_when"] = self.sealed_when
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if value and self.sealed_when and getattr(model_instance, self.sealed_when):
            return Seal(value)
        return value

    def get_prep_value(self, value):
        sealed = isinstance(value, Seal)
        return self._store(models.TextField.get_prep_value(self, value), seal=sealed)


def reseal_column(queryset, field_name: str, *, seal_clear: bool, batch_size: int = 1000) -> int:
    """Seal one column's values under the current key, in batches ordered by primary key; the number written.

    A value sealed under an older key is opened and sealed again; a clear
    value (written before sealing began) is sealed when ``seal_clear``; a
    value already under the current key is left alone, so the pass can be
    stopped and run again at any time (rotation without downtime). Each batch
    is its own statement: rows written meanwhile by the portal are written
    under the current key already.
    """
    ring = datakeys.keyring()
    model = queryset.model
    current = f"{datakeys.TEXT_PREFIX}{ring.current_id}:"
    pending = queryset.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
    pending = pending.exclude(**{f"{field_name}__startswith": current})
    if not seal_clear:
        pending = pending.filter(**{f"{field_name}__startswith": datakeys.TEXT_PREFIX})
    written = 0
    last_pk = None
    while True:
        page = pending.filter(Q(pk__gt=last_pk) if last_pk is not None else Q()).order_by("pk")
        rows = list(page.annotate(_raw=Cast(field_name, TextField())).values_list("pk", "_raw")[:batch_size])
        if not rows:
            return written
        last_pk = rows[-1][0]
        changed = []
        for pk, raw in rows:
            new = (
                datakeys.reseal_text(raw, ring=ring) if datakeys.is_sealed(raw) else datakeys.seal_text(raw, ring=ring)
            )
            if new is not None:
                changed.append((new, pk))
        if changed:
            # One statement per row in one round trip: Django's bulk_update builds a CASE per row, far slower.
            connection = connections[queryset.db]
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(model._meta.get_field(field_name).column)
            pk_column = connection.ops.quote_name(model._meta.pk.column)
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s", changed)  # noqa: S608
            written += len(changed)


class EncryptedBinaryField(models.BinaryField):
    """Bytes sealed at rest (an issued letter's PDF); Python sees the clear bytes."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return datakeys.open_bytes(bytes(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is not None and not isinstance(value, SealedBytes) and not prepared:
            value = datakeys.seal_bytes(bytes(value))
        return super().get_db_prep_value(value, connection, prepared)


class SealedBytes(bytes):
    """Bytes already sealed (key rotation copies these): stored as they are."""


def reseal_binary_column(queryset, field_name: str, *, batch_size: int = 200) -> int:
    """Seal one binary column's values under the current key, in batches (see :func:`reseal_column`)."""
    ring = datakeys.keyring()
    model = queryset.model
    connection = connections[queryset.db]
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field_name).column)
    pk_column = connection.ops.quote_name(model._meta.pk.column)
    written, last_pk = 0, None
    while True:
        page = queryset.filter(Q(pk__gt=last_pk) if last_pk is not None else Q()).order_by("pk")
        rows = list(page.annotate(_raw=Cast(field_name, models.BinaryField())).values_list("pk", "_raw")[:batch_size])
        if not rows:
            return written
        last_pk = rows[-1][0]
        changed = []
        for pk, raw in rows:
            data = bytes(raw) if raw is not None else b""
            if data and datakeys.bytes_key_id(data) != ring.current_id:
                changed.append((datakeys.seal_bytes(datakeys.open_bytes(data, ring=ring), ring=ring), pk))
        if changed:
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s", changed)  # noqa: S608
            written += len(changed)
