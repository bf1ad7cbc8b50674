"""The only writers of the insights wing: vectorise a case, place it in a theme, recompute everything.

A case's text is read through the model (``grievance.description``), so a
description kept encrypted is read decrypted, and never leaves the server.
"""

from __future__ import annotations

import time

import numpy as np
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone

from grievances.insights import clustering, emerging, notifications, selectors, vectors
from grievances.insights.models import CaseVector, Membership, Refresh, Theme
from grievances.models import Grievance

# Top concepts of a theme's centroid that make its label.
LABEL_CONCEPTS = 3
BATCH = 2000
VECTOR_BYTES = vectors.DIMS * 2  # float16


def _language(grievance: Grievance) -> str:
    return grievance.lodged_language or grievance.language or ""


def case_vectorise(*, grievance: Grievance) -> CaseVector:
    """Compute and keep the raw vector of ``grievance``'s description."""
    raw = vectors.vectorise(grievance.description)
    row, _created = CaseVector.objects.update_or_create(
        grievance=grievance,
        defaults={"vector": vectors.to_bytes(raw), "language": _language(grievance), "computed_at": timezone.now()},
    )
    return row


def case_place(*, grievance: Grievance) -> Membership | None:
    """Vectorise ``grievance`` and put it in the nearest theme of the last refresh, if one is near enough."""
    row = case_vectorise(grievance=grievance)
    refresh = Refresh.objects.order_by("-computed_at", "-pk").first()
    if refresh is None:
        return None
    themes = list(Theme.objects.filter(refresh=refresh).only("pk", "centroid").order_by("pk"))
    if not themes:
        return None
    if refresh.space.get("method") != vectors.METHOD:
        # Themes made from vectors of another method (a glossary changed since): the next refresh places it.
        return None
    space = vectors.Space.from_dict(refresh.space)
    x = space.transform(vectors.from_bytes(bytes(row.vector)), [row.language])
    centroids = np.vstack([vectors.from_bytes(bytes(theme.centroid)) for theme in themes])
    labels, scores = clustering.nearest(x, centroids)
    if labels[0] < 0:
        Membership.objects.filter(grievance=grievance).delete()
        return None
    membership, _created = Membership.objects.update_or_create(
        grievance=grievance,
        defaults={"theme": themes[int(labels[0])], "score": float(scores[0]), "agency_id": grievance.agency_id},
    )
    return membership


def _drop_stale_vectors() -> None:
    """Forget the stored vectors another method made, so that ``_vectorise_missing`` computes them again.

    All of them when the last refresh was made by another method (a glossary changed, the code changed);
    else only those of another length (written by a process still running the old code meanwhile).
    """
    last = Refresh.objects.order_by("-computed_at", "-pk").only("space").first()
    if last is not None and last.space.get("method") != vectors.METHOD:
        CaseVector.objects.all().delete()
        return
    CaseVector.objects.annotate(size=Length("vector")).exclude(size=VECTOR_BYTES).delete()


def _vectorise_missing() -> int:
    done = 0
    missing = Grievance.objects.filter(insights_vector__isnull=True).only(
        "pk", "description", "language", "lodged_language"
    )
    batch = []
    for grievance in missing.order_by("pk").iterator(chunk_size=BATCH):
        raw = vectors.vectorise(grievance.description)
        batch.append(CaseVector(grievance_id=grievance.pk, vector=vectors.to_bytes(raw), language=_language(grievance)))
        if len(batch) >= BATCH:
            CaseVector.objects.bulk_create(batch, ignore_conflicts=True)
            done += len(batch)
            batch = []
    CaseVector.objects.bulk_create(batch, ignore_conflicts=True)
    return done + len(batch)


def _label_concepts(centroid: np.ndarray) -> list[str]:
    weights = centroid[: vectors.CONCEPT_DIMS]
    order = np.argsort(-weights, kind="stable")[:LABEL_CONCEPTS]
    return [vectors.CONCEPT_KEYS[i] for i in order if weights[i] > 0.15]


def insights_refresh(*, today=None) -> Refresh:
    """Vectorise the cases not yet vectorised, re-cluster all from the stored vectors, flag emerging themes.

    The new themes replace the old ones in one transaction: a reader sees
    either the last refresh or this one.
    """
    started = time.monotonic()
    _drop_stale_vectors()
    _vectorise_missing()
    # One float16 matrix filled in place (a million cases: about 0.7 GB), transformed in batches.
    count = CaseVector.objects.count()
    raw = np.zeros((count, vectors.DIMS), dtype=np.float16)
    ids, languages = [], []
    rows = CaseVector.objects.order_by("pk").values_list("pk", "vector", "language")
    for pk, data, language in rows.iterator(chunk_size=BATCH * 5):
        if len(ids) >= count:
            break  # a case vectorised meanwhile waits for the next refresh
        if len(data) != VECTOR_BYTES:
            continue  # written meanwhile by the old method: computed again by the next refresh
        raw[len(ids)] = np.frombuffer(bytes(data), dtype=np.float16)
        ids.append(pk)
        languages.append(language)
    raw = raw[: len(ids)]
    space = vectors.Space.fit(raw, languages)
    X = np.zeros((len(ids), vectors.NUMBERS_FROM), dtype=np.float32)
    for start in range(0, len(ids), BATCH * 25):
        end = start + BATCH * 25
        X[start:end] = space.transform(raw[start:end], languages[start:end])
    del raw
    result = clustering.cluster(X)
    del X
    today = today or timezone.localdate()
    dates = _dates_in_batches(ids)
    rows = [(int(label), *dates.get(pk, (None, None, None))[:2]) for pk, label in zip(ids, result.labels, strict=True)]
    pairs = emerging.emerging_pairs(rows, today=today)
    with transaction.atomic():
        Theme.objects.all().delete()  # memberships go with them
        refresh = Refresh.objects.create(cases=len(ids), space=space.to_dict())
        themes = Theme.objects.bulk_create(
            Theme(
                refresh=refresh,
                concepts=_label_concepts(centroid),
                centroid=vectors.to_bytes(centroid),
                emerging=any(theme == index for theme, _region in pairs),
                emerging_regions=sorted({region for theme, region in pairs if theme == index and region}),
            )
            for index, centroid in enumerate(result.centroids)
        )
        members = [
            Membership(grievance_id=pk, theme=themes[int(label)], score=float(score), agency_id=dates[pk][2])
            for pk, label, score in zip(ids, result.labels, result.scores, strict=True)
            if label >= 0
        ]
        Membership.objects.bulk_create(members, batch_size=BATCH * 5)
        refresh.seconds = time.monotonic() - started
        refresh.save(update_fields=["seconds"])
        Refresh.objects.exclude(pk=refresh.pk).delete()
        emerging_ids = [theme.pk for theme in themes if theme.emerging]
        if emerging_ids:
            # Enqueued in the transaction (the task backend is the database): a notice exists when the flag does.
            notifications.notify_emerging.enqueue(emerging_ids)
    transaction.on_commit(selectors.changed)
    return refresh


def _dates_in_batches(ids: list[int]) -> dict:
    dates = {}
    for start in range(0, len(ids), 100_000):
        chunk = ids[start : start + 100_000]
        for pk, region, occurred, lodged, agency in (
            Grievance.objects.filter(pk__range=(chunk[0], chunk[-1]))
            .order_by()
            .values_list("pk", "region_id", "occurred_on", "lodged_at", "agency_id")
            .iterator(chunk_size=BATCH * 5)
        ):
            dates[pk] = (region, occurred or lodged.date(), agency)
    return dates
