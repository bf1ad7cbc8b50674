"""Seal short secrets (a PIN to be sent by SMS) for the trip through the task queue.

Task arguments are stored in the database until pruned. A PIN must not lie
there in clear, so it travels sealed: AES-GCM under a key derived from
SECRET_KEY, with the time of sealing bound in, and it expires.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = b"\x01"


class SealBroken(ValueError):
    """The token was altered, sealed under another key, or has expired."""


def _key() -> bytes:
    return hashlib.sha256(b"suara.sealed|" + settings.SECRET_KEY.encode()).digest()


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of ``value`` under a key derived from SECRET_KEY for ``purpose`` (hex).

    For what must be matched but never read back (a client address, an
    idempotency key): a database dump holds the hash, and the key is not in
    the database. Each purpose has its own key, so one table's hashes say
    nothing about another's.
    """
    key = hashlib.sha256(f"suara.{purpose}|".encode() + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, value.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def seal(text: str, *, purpose: str) -> str:
    nonce = os.urandom(12)
    stamp = struct.pack(">Q", int(time.time()))
    ciphertext = AESGCM(_key()).encrypt(nonce, text.encode(), _VERSION + stamp + purpose.encode())
    return base64.urlsafe_b64encode(_VERSION + stamp + nonce + ciphertext).decode()


def unseal(token: str, *, purpose: str, max_age_seconds: int) -> str:
    try:
        raw = base64.urlsafe_b64decode(token.encode())
        version, stamp, nonce, ciphertext = raw[:1], raw[1:9], raw[9:21], raw[21:]
        if version != _VERSION:
            raise SealBroken("unknown version")
        if time.time() - struct.unpack(">Q", stamp)[0] > max_age_seconds:
            raise SealBroken("expired")
        return AESGCM(_key()).decrypt(nonce, ciphertext, version + stamp + purpose.encode()).decode()
    except SealBroken:
        raise
    except Exception as exc:
        raise SealBroken("cannot be opened") from exc
