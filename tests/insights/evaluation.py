"""The figures of docs/insights.md: a method's themes and similar cases against the labelled set.

Run ``python -m tests.insights.evaluation`` for the table; ``test_evaluation.py`` asserts the goals.
Unthemed cases count as clusters of one each (NMI and ARI are not flattered by leaving cases out),
one-offs as problems of one each.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from grievances.insights import clustering, emerging, vectors
from tests.insights import dataset


def _comb2(n: int) -> float:
    return n * (n - 1) / 2


def nmi(truth: list, found: list) -> float:
    n = len(truth)
    ct = Counter(zip(truth, found, strict=True))
    a, b = Counter(truth), Counter(found)
    mi = sum(c / n * math.log(n * c / (a[t] * b[f])) for (t, f), c in ct.items())
    ha = -sum(c / n * math.log(c / n) for c in a.values())
    hb = -sum(c / n * math.log(c / n) for c in b.values())
    return 2 * mi / (ha + hb) if ha + hb else 1.0


def ari(truth: list, found: list) -> float:
    n = len(truth)
    ct = Counter(zip(truth, found, strict=True))
    index = sum(_comb2(c) for c in ct.values())
    sa = sum(_comb2(c) for c in Counter(truth).values())
    sb = sum(_comb2(c) for c in Counter(found).values())
    expected = sa * sb / _comb2(n)
    maximum = (sa + sb) / 2
    return (index - expected) / (maximum - expected) if maximum != expected else 1.0


@dataclass
class Figures:
    nmi: float
    ari: float
    purity: float
    coverage: float
    languages_per_theme: float
    themes: int
    dup_recall3: float
    emerging_flagged: bool
    false_flags: int

    def line(self, name: str) -> str:
        return (
            f"{name}: nmi={self.nmi:.3f} ari={self.ari:.3f} purity={self.purity:.3f} coverage={self.coverage:.3f} "
            f"languages_per_theme={self.languages_per_theme:.2f} themes={self.themes} "
            f"dup_recall3={self.dup_recall3:.3f} emerging_flagged={self.emerging_flagged} false_flags={self.false_flags}"
        )


def tfidf(texts) -> np.ndarray:
    """The plain baseline: exact (unhashed) character n-grams and words, TF-IDF weighted, unit rows."""
    counts = [Counter(vectors._grams(vectors.normalise(text))) for text in texts]
    vocabulary = {gram: i for i, gram in enumerate(sorted({gram for row in counts for gram in row}))}
    df = Counter(gram for row in counts for gram in row)
    X = np.zeros((len(counts), len(vocabulary)), dtype=np.float32)
    for r, row in enumerate(counts):
        for gram, count in row.items():
            X[r, vocabulary[gram]] = (1 + math.log(count)) * (math.log(len(counts) / df[gram]) + 1)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return X / norms


def evaluate(
    cases=None,
    *,
    concepts: bool = True,
    centre: bool = True,
    numbers: float = 0.5,
    plain: bool = False,
    threshold: float = clustering.THRESHOLD,
) -> Figures:
    """Themes and similar cases for the set, with the method's parts switched on or off.

    ``plain=True``: the plain character n-gram TF-IDF baseline (exact n-grams, no concepts, no centring).
    """
    cases = cases or dataset.build()
    raw = vectors.vectorise_many(case.text for case in cases)
    if not concepts:
        raw[:, : vectors.CONCEPT_DIMS] = 0
    languages = [case.language for case in cases]
    space = vectors.Space.fit(raw, languages, centre=centre, concept_weight=vectors.CONCEPT_WEIGHT if concepts else 0.0)
    X = tfidf(case.text for case in cases) if plain else space.transform(raw, languages)
    # Similar cases: cosine with the numbers part, as grievances.insights.similar ranks them.
    S = X if plain else space.transform(raw, languages, numbers=numbers)
    return figures_of(cases, X, S, threshold=threshold)


def figures_of(
    cases,
    X: np.ndarray,
    S: np.ndarray,
    *,
    threshold: float = clustering.THRESHOLD,
    merge_threshold: float = clustering.MERGE_THRESHOLD,
) -> Figures:
    """The figures for given vectors: ``X`` (unit rows) makes the themes, ``S`` ranks similar cases."""
    result = clustering.cluster(X, threshold=threshold, merge_threshold=merge_threshold)
    labels = result.labels
    truth = [case.problem for case in cases]
    found = [int(label) if label >= 0 else f"alone:{i}" for i, label in enumerate(labels)]
    members = defaultdict(list)
    for i, label in enumerate(labels):
        if label >= 0:
            members[int(label)].append(i)
    themed = sum(len(m) for m in members.values())
    purity = sum(Counter(truth[i] for i in m).most_common(1)[0][1] for m in members.values()) / max(themed, 1)
    recurring = [i for i, case in enumerate(cases) if not case.problem.startswith("one-off")]
    coverage = sum(1 for i in recurring if labels[i] >= 0) / len(recurring)
    languages_of = defaultdict(set)
    for case in cases:
        languages_of[case.problem].add(case.language)
    spread = [
        len({cases[i].language for i in m})
        for m in members.values()
        if len(languages_of[Counter(truth[i] for i in m).most_common(1)[0][0]]) > 1
    ]
    sims = S @ S.T
    np.fill_diagonal(sims, -1)
    duplicates = [case for case in cases if case.duplicate_of is not None]
    hits = 0
    for case in duplicates:
        top = np.argsort(-sims[case.key], kind="stable")[:3]
        hits += case.duplicate_of in top.tolist()
    rows = [(int(labels[i]), case.region, case.occurred_on) for i, case in enumerate(cases)]
    flagged = emerging.emerging_themes(rows, today=dataset.TODAY)
    majority = {label: Counter(truth[i] for i in m).most_common(1)[0][0] for label, m in members.items()}
    planted = any(majority[label] == dataset.EMERGING for label in flagged)
    false_flags = sum(1 for label in flagged if majority[label] != dataset.EMERGING)
    return Figures(
        nmi=nmi(truth, found),
        ari=ari(truth, found),
        purity=purity,
        coverage=coverage,
        languages_per_theme=sum(spread) / max(len(spread), 1),
        themes=len(members),
        dup_recall3=hits / max(len(duplicates), 1),
        emerging_flagged=planted,
        false_flags=false_flags,
    )


@contextlib.contextmanager
def glossary_thinned(keep: float, seed: int = 17):
    """The glossary with each form kept with probability ``keep`` (0: no glossary at all), while inside.

    How the method fares on words it does not know.
    """
    import random

    from grievances.insights import lexicon

    rng = random.Random(seed)
    kept = {
        key: (label, tuple(f for f in forms if rng.random() < keep)) for key, (label, forms) in lexicon.CONCEPTS.items()
    }
    original = (lexicon.CONCEPTS, vectors._MATCHERS)
    lexicon.CONCEPTS = kept
    vectors.CONCEPTS = kept
    vectors._MATCHERS = vectors._matchers()
    try:
        yield
    finally:
        lexicon.CONCEPTS = vectors.CONCEPTS = original[0]
        vectors._MATCHERS = original[1]


def with_half_the_glossary(seed: int = 17):
    """The method's figures with half the glossary's forms dropped at random."""
    with glossary_thinned(0.5, seed):
        return evaluate()


if __name__ == "__main__":
    print(evaluate().line("suara (concepts + n-grams, centred)"))
    print(evaluate(centre=False).line("concepts + n-grams, not centred"))
    print(evaluate(concepts=False, centre=True).line("n-grams only, centred"))
    for seed in (1, 2, 3):
        print(with_half_the_glossary(seed).line(f"suara, half the glossary's forms dropped (seed {seed})"))
    print(evaluate(plain=True).line("baseline: character n-gram TF-IDF"))
    for threshold in (0.2, 0.3, 0.5, 0.6):
        print(
            evaluate(plain=True, threshold=threshold).line(f"baseline: character n-gram TF-IDF, threshold {threshold}")
        )
