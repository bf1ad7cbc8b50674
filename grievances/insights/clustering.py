"""Themes from comparable vectors: deterministic, in batches, at a million cases.

1. *Leaders* on a sample (evenly spread over the cases in id order): a case
   joins the nearest leader within ``threshold`` or becomes a leader itself.
2. *Refine*: every case joins its nearest centroid within ``threshold``
   (else stays unthemed), centroids are recomputed; a few rounds, each a
   batched matrix product.
3. *Merge* centroids closer than ``merge_threshold`` (union–find), so one
   problem described in two ways becomes one theme.
4. Groups smaller than ``min_size`` are not themes: their cases stay unthemed.

The same centroids place a new case as it arrives (:func:`nearest`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THRESHOLD = 0.4
MERGE_THRESHOLD = 0.72
MIN_SIZE = 3
SAMPLE = 20_000
ROUNDS = 3
BATCH = 50_000


@dataclass
class Clustering:
    labels: np.ndarray  # one per case: the theme index, or -1
    centroids: np.ndarray  # one unit row per theme
    scores: np.ndarray  # each case's similarity to its theme's centroid (0 when unthemed)


def _leaders(X: np.ndarray, threshold: float) -> np.ndarray:
    leaders: list[np.ndarray] = []
    matrix = np.zeros((0, X.shape[1]), dtype=np.float32)
    for row in X:
        if not row.any():
            continue
        if len(leaders):
            if float((matrix @ row).max()) >= threshold:
                continue
        leaders.append(row)
        matrix = np.vstack(leaders)
    return matrix


def nearest(X: np.ndarray, centroids: np.ndarray, threshold: float = THRESHOLD) -> tuple[np.ndarray, np.ndarray]:
    """For each row, the nearest centroid within ``threshold`` (else -1) and its similarity."""
    labels = np.full(len(X), -1, dtype=np.int32)
    scores = np.zeros(len(X), dtype=np.float32)
    if not len(centroids):
        return labels, scores
    for start in range(0, len(X), BATCH):
        sims = X[start : start + BATCH] @ centroids.T
        best = sims.argmax(axis=1)
        best_sims = sims[np.arange(len(best)), best]
        keep = best_sims >= threshold
        labels[start : start + BATCH] = np.where(keep, best, -1)
        scores[start : start + BATCH] = np.where(keep, best_sims, 0.0)
    return labels, scores


def _centroids(X: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    sums = np.zeros((count, X.shape[1]), dtype=np.float64)
    mask = labels >= 0
    np.add.at(sums, labels[mask], X[mask])
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (sums / norms).astype(np.float32)


def _merge(centroids: np.ndarray, merge_threshold: float) -> np.ndarray:
    parent = list(range(len(centroids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sims = centroids @ centroids.T
    pairs = np.argwhere(np.triu(sims, k=1) >= merge_threshold)
    for a, b in pairs:
        ra, rb = find(int(a)), find(int(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    roots = sorted({find(i) for i in range(len(centroids))})
    renumber = {root: index for index, root in enumerate(roots)}
    return np.array([renumber[find(i)] for i in range(len(centroids))], dtype=np.int32)


def cluster(
    X: np.ndarray,
    *,
    threshold: float = THRESHOLD,
    merge_threshold: float = MERGE_THRESHOLD,
    min_size: int = MIN_SIZE,
    sample: int = SAMPLE,
    rounds: int = ROUNDS,
) -> Clustering:
    """Group the unit rows of ``X`` (in a stable order, e.g. by case id) into themes."""
    X = np.asarray(X, dtype=np.float32)
    if not len(X):
        return Clustering(np.zeros(0, dtype=np.int32), np.zeros((0, X.shape[1]), np.float32), np.zeros(0, np.float32))
    step = max(1, len(X) // sample)
    centroids = _leaders(X[::step], threshold)
    labels, scores = nearest(X, centroids, threshold)
    for _ in range(rounds):
        centroids = _centroids(X, labels, len(centroids))
        mapping = _merge(centroids, merge_threshold)
        merged = mapping.max() + 1 if len(mapping) else 0
        centroids = _centroids(X, np.where(labels >= 0, mapping[labels], -1), merged)
        labels, scores = nearest(X, centroids, threshold)
    sizes = np.bincount(labels[labels >= 0], minlength=len(centroids))
    keep = np.flatnonzero(sizes >= min_size)
    renumber = np.full(len(centroids), -1, dtype=np.int32)
    renumber[keep] = np.arange(len(keep), dtype=np.int32)
    centroids = _centroids(X, np.where(labels >= 0, renumber[labels], -1), len(keep))
    labels, scores = nearest(X, centroids, threshold)
    return Clustering(labels=labels, centroids=centroids, scores=scores)
