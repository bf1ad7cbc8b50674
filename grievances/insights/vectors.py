"""A case's text as a vector, computed here and nowhere else: no model to download, no text leaves the server.

A vector has two parts (docs/insights.md):

* the **concepts** of :mod:`grievances.insights.lexicon` the text speaks of,
  in whatever language: the part that carries meaning across scripts;
* **character n-grams**, hashed into a few hundred signed buckets: words and
  their pieces, without word segmentation (Thai, Khmer, Lao, Burmese and
  Chinese are written without spaces), which find re-lodgings of the same
  text, the same amounts, dates and programme names in any language.

The raw parts are stored per case. Before comparing, :class:`Space` weighs the
concepts by how rare they are and removes each language's mean from the
n-gram part: without that, texts group by script rather than by problem
(measured in docs/insights.md).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass, field

import numpy as np

from grievances.insights.lexicon import CONCEPTS

NGRAM_DIMS = 256
# Numbers people repeat when they lodge again (amounts, dates, household numbers), hashed: used by
# ``similar`` only, so two lodgings of one person's case meet across languages; themes ignore them.
NUMBER_DIMS = 64
CONCEPT_KEYS = tuple(CONCEPTS)
CONCEPT_DIMS = len(CONCEPT_KEYS)
NUMBERS_FROM = CONCEPT_DIMS + NGRAM_DIMS
DIMS = NUMBERS_FROM + NUMBER_DIMS
# Past this, more text adds nothing a theme needs (and a 100,000-character paste costs no more than a page).
MAX_CHARS = 3000
# How much of the similarity the concepts carry, against the n-grams (tuned on tests/insights/, see the docs).
CONCEPT_WEIGHT = 0.8

# Raise when the code that turns a text into a raw vector changes: stored vectors are then recomputed.
VERSION = 1

_UNSPACED = "\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNSPACED_CHAR = re.compile(f"[{_UNSPACED}]")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_EMAIL = re.compile(r"\S+@\S+")
# Phone numbers and identity numbers: seven digits or more, with the separators people type.
_LONG_NUMBER = re.compile(r"\+?\d[\d\s().-]{5,}\d")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """The text as compared: NFKC, lower case, no links, addresses or long numbers, at most ``MAX_CHARS``."""
    text = unicodedata.normalize("NFKC", text or "")[: MAX_CHARS * 2].casefold()
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _LONG_NUMBER.sub(" ", text)
    return _SPACES.sub(" ", text).strip()[:MAX_CHARS]


def _matchers() -> list[tuple[re.Pattern | None, tuple[str, ...]]]:
    matchers = []
    for _label, forms in CONCEPTS.values():
        unspaced = tuple(form for form in forms if _UNSPACED_CHAR.search(form))
        spaced = sorted({form for form in forms if form not in unspaced}, key=len, reverse=True)
        pattern = None
        if spaced:
            alternatives = "|".join(re.escape(form) for form in spaced)
            # Whole words (and their plural in English), so "pin" is not found in "pinjaman".
            pattern = re.compile(rf"(?<!\w)(?:{alternatives})(?:s|es)?(?!\w)")
        matchers.append((pattern, unspaced))
    return matchers


_MATCHERS = _matchers()


def concepts_of(normalised: str) -> np.ndarray:
    """1.0 for each concept of the lexicon the (normalised) text speaks of, else 0.0."""
    found = np.zeros(CONCEPT_DIMS, dtype=np.float32)
    for index, (pattern, unspaced) in enumerate(_MATCHERS):
        if (pattern is not None and pattern.search(normalised)) or any(form in normalised for form in unspaced):
            found[index] = 1.0
    return found


def _grams(normalised: str):
    for word in _WORD.findall(normalised):
        if _UNSPACED_CHAR.search(word):
            # No spaces between words: every 2- and 3-character piece stands in for them.
            for size in (2, 3):
                for start in range(len(word) - size + 1):
                    yield word[start : start + size]
        else:
            yield word
            padded = f" {word} "
            for start in range(len(padded) - 2):
                yield padded[start : start + 3]


def ngrams_of(normalised: str) -> np.ndarray:
    """The hashed, signed, log-scaled character n-gram counts of the text, unit length (or all zeros)."""
    counts: dict[int, float] = {}
    for gram in _grams(normalised):
        code = zlib.crc32(gram.encode())
        bucket = code % NGRAM_DIMS
        sign = 1.0 if code & 0x80000000 else -1.0
        counts[bucket] = counts.get(bucket, 0.0) + sign
    vector = np.zeros(NGRAM_DIMS, dtype=np.float32)
    for bucket, count in counts.items():
        vector[bucket] = np.sign(count) * np.log1p(abs(count))
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


_NUMBER = re.compile(r"\d[\d.,/:]*\d")


def numbers_of(normalised: str) -> np.ndarray:
    """The numbers of two digits or more the text mentions (separators ignored), hashed, unit length."""
    vector = np.zeros(NUMBER_DIMS, dtype=np.float32)
    for number in set(_NUMBER.findall(normalised)):
        digits = re.sub(r"\D", "", number)
        code = zlib.crc32(digits.encode())
        vector[code % NUMBER_DIMS] += 1.0
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else vector


def _raw(normalised: str) -> np.ndarray:
    return np.concatenate([concepts_of(normalised), ngrams_of(normalised), numbers_of(normalised)])


def vectorise(text: str) -> np.ndarray:
    """The raw vector of one text: concepts, n-grams and numbers, float32, ``DIMS`` long."""
    return _raw(normalise(text))


def vectorise_many(texts) -> np.ndarray:
    """Raw vectors of many texts, one row each; equal texts are vectorised once."""
    done: dict[str, np.ndarray] = {}
    rows = []
    for text in texts:
        key = normalise(text)
        if key not in done:
            done[key] = _raw(key)
        rows.append(done[key])
    return np.vstack(rows) if rows else np.zeros((0, DIMS), dtype=np.float32)


def _fingerprint() -> str:
    # What decides a raw vector: the code, the layout and every form of the glossary. A glossary that
    # grows changes the layout; a form corrected changes what a stored vector should have said.
    glossary = repr([(key, forms) for key, (_label, forms) in CONCEPTS.items()])
    return f"{VERSION}:{DIMS}:{zlib.crc32(glossary.encode()):08x}"


# The method of the stored vectors: kept with each refresh, so that a change of it is seen (services).
METHOD = _fingerprint()


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.float16).astype(np.float32)


@dataclass
class Space:
    """What turns raw vectors into comparable ones, fitted on all cases at each refresh.

    ``idf``: a weight per concept, lower for the concepts most texts mention
    ("payment") than for the telling ones ("proof of life"); ``language_means``:
    the mean n-gram part per language, removed so that a language's own
    letters stop pulling its texts together.
    """

    idf: np.ndarray = field(default_factory=lambda: np.ones(CONCEPT_DIMS, dtype=np.float32))
    language_means: dict[str, np.ndarray] = field(default_factory=dict)
    concept_weight: float = CONCEPT_WEIGHT
    centre: bool = True

    @classmethod
    def fit(cls, raw: np.ndarray, languages, *, concept_weight: float = CONCEPT_WEIGHT, centre: bool = True) -> Space:
        count = max(len(raw), 1)
        seen = (raw[:, :CONCEPT_DIMS] > 0).sum(axis=0, dtype=np.int64) if len(raw) else np.zeros(CONCEPT_DIMS)
        idf = np.log((1 + count) / (1 + seen)).astype(np.float32) + 1.0
        means: dict[str, np.ndarray] = {}
        if centre and len(raw):
            languages = np.asarray(list(languages))
            for language in sorted(set(languages.tolist())):
                rows = raw[languages == language, CONCEPT_DIMS:NUMBERS_FROM]
                # Few texts make a poor mean: a language needs twenty before its mean is removed.
                if len(rows) >= 20:
                    means[language] = rows.mean(axis=0, dtype=np.float64).astype(np.float32)
        return cls(idf=idf, language_means=means, concept_weight=concept_weight, centre=centre)

    def transform(self, raw: np.ndarray, languages, *, numbers: float = 0.0) -> np.ndarray:
        """Comparable vectors: unit length, or all zeros for a text that says nothing this space knows.

        ``numbers``: the weight of the numbers part (0 for themes; ``similar`` gives it some).
        """
        raw = np.atleast_2d(np.asarray(raw, dtype=np.float32))
        concepts = raw[:, :CONCEPT_DIMS] * self.idf
        grams = raw[:, CONCEPT_DIMS:NUMBERS_FROM].copy()
        if self.language_means:
            for row, language in enumerate(languages):
                mean = self.language_means.get(language)
                if mean is not None and grams[row].any():
                    grams[row] -= mean
        parts = [_unit(concepts) * self.concept_weight, _unit(grams) * (1 - self.concept_weight**2) ** 0.5]
        if numbers:
            parts.append(raw[:, NUMBERS_FROM:] * numbers)
        return _unit(np.hstack(parts))

    def to_dict(self) -> dict:
        return {
            "idf": self.idf.tolist(),
            "language_means": {key: value.tolist() for key, value in self.language_means.items()},
            "concept_weight": self.concept_weight,
            "centre": self.centre,
            "dims": DIMS,
            "method": METHOD,
        }

    @classmethod
    def from_dict(cls, data: dict | None) -> Space:
        if not data or data.get("dims") != DIMS or data.get("method") != METHOD:
            return cls()
        return cls(
            idf=np.asarray(data["idf"], dtype=np.float32),
            language_means={key: np.asarray(value, dtype=np.float32) for key, value in data["language_means"].items()},
            concept_weight=data["concept_weight"],
            centre=data["centre"],
        )


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)
