"""Personal data over a case's life: retention policies, anonymisation, legal holds (docs/privacy.md).

A wing of the case core: it reads cases through the core's models and is the
one sanctioned writer that rewrites a timeline's bodies (anonymisation,
recorded in :class:`grievances.privacy.models.Anonymisation`). The core never
imports it.
"""
