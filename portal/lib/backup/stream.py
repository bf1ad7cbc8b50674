"""Chunked AES-256-GCM: encrypt and decrypt a stream without holding it whole.

Layout: ``MAGIC``, an 8-byte random prefix, then chunks of ``length (4
bytes) + ciphertext with tag``. Chunk *n*'s nonce is the prefix and *n*; its
associated data is the part's name and whether it is the last chunk, so
chunks cannot be reordered, moved between parts, or dropped from the end.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"SUARABK1"
CHUNK = 1024 * 1024
_TAG = 16


class BackupKeyError(ValueError):
    """The key is malformed, or does not open this backup."""


class BackupCorrupt(ValueError):
    """A part was altered, truncated or swapped."""


def parse_key(text: str) -> bytes:
    """A key as written by ``manage.py backup --new-key``: 32 bytes, URL-safe base64."""
    try:
        raw = base64.urlsafe_b64decode(text.strip().encode("ascii") + b"==")
    except (ValueError, UnicodeEncodeError):
        raise BackupKeyError("BACKUP_KEY is not base64; make one with `manage.py backup --new-key`.") from None
    if len(raw) != 32:
        raise BackupKeyError("BACKUP_KEY must hold 32 bytes; make one with `manage.py backup --new-key`.")
    return raw


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii").rstrip("=")


def key_id(key: bytes) -> str:
    """Names the key in the manifest without revealing it (which key opens this backup?)."""
    return hashlib.sha256(b"suara.backup.id|" + key).hexdigest()[:16]


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"suara.backup|" + purpose).derive(key)


def sign(key: bytes, data: bytes) -> str:
    return hmac.new(_derive(key, b"manifest"), data, hashlib.sha256).hexdigest()


def verify(key: bytes, data: bytes, mac: str) -> bool:
    return hmac.compare_digest(sign(key, data), mac)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def _aad(name: str, last: bool) -> bytes:
    return name.encode() + (b"\x01" if last else b"\x00")


def encrypt(key: bytes, name: str, source: BinaryIO, target: BinaryIO) -> tuple[str, int]:
    """Encrypt ``source`` into ``target``; returns the clear text's SHA-256 and size."""
    aead = AESGCM(_derive(key, b"data"))
    prefix = os.urandom(8)
    target.write(MAGIC + prefix)
    digest, size, index = hashlib.sha256(), 0, 0
    chunk = source.read(CHUNK)
    while True:
        following = source.read(CHUNK) if chunk else b""
        last = not following
        digest.update(chunk)
        size += len(chunk)
        sealed = aead.encrypt(_nonce(prefix, index), chunk, _aad(name, last))
        target.write(struct.pack(">I", len(sealed)) + sealed)
        if last:
            return digest.hexdigest(), size
        chunk, index = following, index + 1


def decrypt(key: bytes, name: str, source: BinaryIO, target: BinaryIO) -> tuple[str, int]:
    """Decrypt into ``target``; returns the clear text's SHA-256 and size, or raises BackupCorrupt."""
    aead = AESGCM(_derive(key, b"data"))
    header = source.read(len(MAGIC) + 8)
    if len(header) != len(MAGIC) + 8 or not header.startswith(MAGIC):
        raise BackupCorrupt(f"{name}: not a Suara backup part")
    prefix = header[len(MAGIC) :]
    digest, size, index = hashlib.sha256(), 0, 0
    while True:
        head = source.read(4)
        if len(head) != 4:
            raise BackupCorrupt(f"{name}: cut short (no final chunk)")
        (length,) = struct.unpack(">I", head)
        if length < _TAG or length > CHUNK + _TAG:
            raise BackupCorrupt(f"{name}: chunk {index} has an impossible length")
        sealed = source.read(length)
        # Which chunk is the last one is bound into each chunk: try "not last" first.
        for last in (False, True):
            try:
                clear = aead.decrypt(_nonce(prefix, index), sealed, _aad(name, last))
                break
            except InvalidTag:
                continue
        else:
            raise BackupCorrupt(f"{name}: chunk {index} does not authenticate (altered, or another key)")
        digest.update(clear)
        size += len(clear)
        target.write(clear)
        if last:
            if source.read(1):
                raise BackupCorrupt(f"{name}: data after the final chunk")
            return digest.hexdigest(), size
        index += 1
