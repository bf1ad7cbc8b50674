"""Encryption at rest: the data keys, and sealing text and bytes with them.

The keys live outside the database: ``SUARA_DATA_KEYS`` (or a file named by
``SUARA_DATA_KEYS_FILE``) holds ``id:key`` pairs separated by commas, each key
32 random bytes in base64. The **last** pair is the current key: every new
write uses it. The others stay so that what was written under them can still
be read, until ``manage.py rotate_keys`` has re-encrypted it under the
current key; only then may an old key be removed.

A sealed text is ``sealed:1:<key id>:<base64url(nonce + AES-GCM ciphertext)>``;
the key id and version are bound into the ciphertext as associated data, so a
token cannot be moved under another id. A sealed file starts with
``SUARA-SEALED\\x01``, the key id's length and the key id, then nonce and
ciphertext. Empty text stays empty (it says only that nothing was given).

This module knows no app and no person: it is handed a keyring by
:func:`keyring`, which reads ``settings.SUARA_DATA_KEYS``.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

TEXT_PREFIX = "sealed:1:"
FILE_MAGIC = b"SUARA-SEALED\x01"
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
# The embedded default's key (development and tests only; production refuses it).
DEVELOPMENT_KEY_ID = "dev"
DEVELOPMENT_KEYS = f"{DEVELOPMENT_KEY_ID}:" + base64.b64encode(b"suara-development-key-not-secret").decode()


class DataKeysError(ValueError):
    """The keyring cannot be read, or a sealed value names a key it does not hold."""


class SealedValueError(ValueError):
    """A sealed value was altered, or was sealed under a key the keyring does not hold."""


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]
    current_id: str

    @property
    def current(self) -> AESGCM:
        return _aead(self.keys[self.current_id])

    def aead(self, key_id: str) -> AESGCM:
        try:
            return _aead(self.keys[key_id])
        except KeyError:
            raise SealedValueError(f"no data key with id {key_id!r} (SUARA_DATA_KEYS)") from None


@lru_cache(maxsize=32)
def _aead(key: bytes) -> AESGCM:
    return AESGCM(key)


def parse_keys(text: str) -> Keyring:
    """``id:base64,id:base64`` -> a :class:`Keyring` whose current key is the last; one sentence on error."""
    keys: dict[str, bytes] = {}
    last = ""
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep or not KEY_ID.fullmatch(key_id):
            raise DataKeysError("each data key is written id:base64key, the id of letters, digits, - and _.")
        try:
            raw = base64.b64decode(encoded.strip(), altchars=b"-_" if ("-" in encoded or "_" in encoded) else None)
        except (binascii.Error, ValueError):
            raise DataKeysError(f"data key {key_id!r} is not base64.") from None
        if len(raw) != 32:
            raise DataKeysError(f"data key {key_id!r} must be 32 bytes (base64 of 32 random bytes), not {len(raw)}.")
        if key_id in keys:
            raise DataKeysError(f"data key id {key_id!r} is given twice.")
        keys[key_id] = raw
        last = key_id
    if not keys:
        raise DataKeysError("no data key is given.")
    return Keyring(keys=keys, current_id=last)


def holds_development_key(text: str) -> bool:
    """True when the keys include the embedded default's key (by id or by value): refused in production."""
    development = parse_keys(DEVELOPMENT_KEYS).keys[DEVELOPMENT_KEY_ID]
    ring = parse_keys(text)
    return DEVELOPMENT_KEY_ID in ring.keys or development in ring.keys.values()


def new_key_line(key_id: str) -> str:
    """A fresh ``id:key`` pair to append to SUARA_DATA_KEYS (``manage.py rotate_keys --new-key``)."""
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


_cache: dict[str, Keyring] = {}


def keyring() -> Keyring:
    """The keyring of ``settings.SUARA_DATA_KEYS``, parsed once per distinct value (tests may override it)."""
    text = settings.SUARA_DATA_KEYS
    ring = _cache.get(text)
    if ring is None:
        ring = _cache[text] = parse_keys(text)
    return ring


# --- text ---------------------------------------------------------------------------


def is_sealed(value: str | None) -> bool:
    return isinstance(value, str) and value.startswith(TEXT_PREFIX)


def key_id_of(value: str) -> str | None:
    """The key id a sealed text was written under (None for clear text)."""
    if not is_sealed(value):
        return None
    return value[len(TEXT_PREFIX) :].split(":", 1)[0]


def seal_text(text: str, *, ring: Keyring | None = None) -> str:
    if not text:
        return text
    ring = ring or keyring()
    nonce = os.urandom(12)
    aad = f"{TEXT_PREFIX}{ring.current_id}".encode()
    ciphertext = ring.current.encrypt(nonce, text.encode("utf-8", "surrogatepass"), aad)
    return f"{TEXT_PREFIX}{ring.current_id}:{base64.urlsafe_b64encode(nonce + ciphertext).decode()}"


def open_text(value: str, *, ring: Keyring | None = None) -> str:
    """The clear text of a sealed value; clear text (rows written before sealing) is returned as it is."""
    if not is_sealed(value):
        return value
    ring = ring or keyring()
    key_id, _sep, body = value[len(TEXT_PREFIX) :].partition(":")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
        plain = ring.aead(key_id).decrypt(raw[:12], raw[12:], f"{TEXT_PREFIX}{key_id}".encode())
    except SealedValueError:
        raise
    except Exception as exc:
        raise SealedValueError("a sealed value cannot be opened: altered, or sealed under another key") from exc
    return plain.decode("utf-8", "surrogatepass")


def reseal_text(value: str, *, ring: Keyring | None = None) -> str | None:
    """The value sealed under the current key, or None when it already is (nothing to write)."""
    ring = ring or keyring()
    if not value or key_id_of(value) == ring.current_id:
        return None
    return seal_text(open_text(value, ring=ring), ring=ring)


# --- bytes (stored files) -----------------------------------------------------------------


def seal_bytes(data: bytes, *, ring: Keyring | None = None) -> bytes:
    ring = ring or keyring()
    key_id = ring.current_id.encode()
    header = FILE_MAGIC + bytes([len(key_id)]) + key_id
    nonce = os.urandom(12)
    return header + nonce + ring.current.encrypt(nonce, data, header)


def bytes_key_id(data: bytes) -> str | None:
    if not data.startswith(FILE_MAGIC):
        return None
    length = data[len(FILE_MAGIC)]
    return data[len(FILE_MAGIC) + 1 : len(FILE_MAGIC) + 1 + length].decode()


def open_bytes(data: bytes, *, ring: Keyring | None = None) -> bytes:
    """The clear bytes of a sealed file; a file stored before sealing is returned as it is."""
    key_id = bytes_key_id(data)
    if key_id is None:
        return data
    ring = ring or keyring()
    start = len(FILE_MAGIC) + 1 + len(key_id.encode())
    header, nonce, ciphertext = data[:start], data[start : start + 12], data[start + 12 :]
    try:
        return ring.aead(key_id).decrypt(nonce, ciphertext, header)
    except SealedValueError:
        raise
    except Exception as exc:
        raise SealedValueError("a sealed file cannot be opened: altered, or sealed under another key") from exc
