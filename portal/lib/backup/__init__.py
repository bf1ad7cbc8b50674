"""Encrypted, checksummed backups: the database dump and both media trees.

A backup is a directory holding ``manifest.json`` and one encrypted file per
part. Each part is encrypted in chunks with AES-256-GCM (:mod:`.stream`), so
a dump of any size never sits in memory or on disk in clear; the manifest
lists each part's SHA-256 before and after encryption and is itself
authenticated, so a restore refuses a part that was swapped, cut short or
altered. The key comes from ``BACKUP_KEY`` (or ``BACKUP_KEY_FILE``); keys
retired by a rotation stay readable through ``BACKUP_OLD_KEYS``.
"""
