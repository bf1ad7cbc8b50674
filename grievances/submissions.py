"""One lodging per submission: the record that makes a repeated form or API call find its first case.

A browser that sends the lodging form three times, or an integration that
retries after a timeout, must not make three cases. The web form carries a
signed random key; the API and Open311 take an ``Idempotency-Key`` header.
Only a keyed hash of the key is stored (whoever reads the table cannot
replay a key), with a hash of what was sent, and the record expires.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import models

from portal.lib.sealed import keyed_hash

# Long enough for a retry after a timeout or a double click; short enough
# that the table stays small.
KEEP_FOR = timedelta(hours=24)
KEY_MAX_LENGTH = 200


def key_digest(scope: str, key: str) -> str:
    """The stored form of a key: keyed by the site's secret and by who sent it (a token, a browser form)."""
    return keyed_hash(f"{scope}\x00{key}", purpose="lodging-submission")


def body_digest(parts) -> str:
    """A hash of what was sent, to tell a retry from a different request under the same key."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


class LodgingSubmission(models.Model):
    key_digest = models.CharField(max_length=64, unique=True)
    body_digest = models.CharField(max_length=64)
    grievance = models.ForeignKey("grievances.Grievance", on_delete=models.CASCADE, null=True, related_name="+")
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        app_label = "grievances"

    def __str__(self) -> str:
        return f"submission {self.pk} until {self.expires_at:%Y-%m-%d %H:%M}"
