"""Themes of any set of free texts (consultation answers), lent to other apps through ``portal.registry``.

The same vectoriser and clustering as the cases' themes, run on the given
texts alone: a ``Space`` fitted on them (so a consultation's words weigh
against each other, not against grievances), themes of at least three texts.
Nothing is stored here; the caller caches what it needs.

A theme is named by its concepts of the glossary, in the reader's language.
Consultation answers often speak of things the glossary (written for
grievances) does not know; such a theme is named by the words its texts share
most, against the other texts. Those words come from the normalised text, from
which links, e-mail addresses and long numbers (phones, ID numbers) are gone,
and each is used by at least ``MIN_SIZE`` texts: never one person's words.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np
from django.utils.translation import gettext as _

from grievances.insights import clustering, vectors
from grievances.insights.labels import theme_label

# Concepts weighing at least this much in a centroid name the theme (as for cases' themes).
CONCEPT_MIN = 0.15
LABEL_CONCEPTS = 3
LABEL_WORDS = 3
# Words shorter than this are mostly grammar ("the", "dan", "và"), whatever the language.
MIN_WORD = 4
_WORD = re.compile(r"[^\W\d_]+")


def _words(normalised: str) -> set[str]:
    return {
        word for word in _WORD.findall(normalised) if len(word) >= MIN_WORD and not vectors._UNSPACED_CHAR.search(word)
    }


def _shared_words(member_words: list[set[str]], document_frequency: Counter, total: int) -> list[str]:
    counts = Counter(word for words in member_words for word in words)
    size = len(member_words)
    scored = [
        (count / size * math.log((1 + total) / (1 + document_frequency[word])), word)
        for word, count in counts.items()
        if count >= clustering.MIN_SIZE and document_frequency[word] < total
    ]
    return [word for _score, word in sorted(scored, key=lambda item: (-item[0], item[1]))[:LABEL_WORDS]]


def group_texts(texts: list[str], *, language: str) -> list[dict]:
    """Themes of ``texts``, largest first: ``{"label", "members"}`` with members most typical first."""
    if len(texts) < clustering.MIN_SIZE:
        return []
    raw = vectors.vectorise_many(texts)
    languages = [language] * len(texts)
    space = vectors.Space.fit(raw, languages)
    comparable = space.transform(raw, languages)
    result = clustering.cluster(comparable)
    normalised = [vectors.normalise(text) for text in texts]
    words = [_words(text) for text in normalised]
    document_frequency = Counter(word for found in words for word in found)
    themes = []
    for index, centroid in enumerate(result.centroids):
        members = np.flatnonzero(result.labels == index)
        members = members[np.argsort(-result.scores[members], kind="stable")]
        concepts = centroid[: vectors.CONCEPT_DIMS]
        keys = [
            vectors.CONCEPT_KEYS[i]
            for i in np.argsort(-concepts, kind="stable")[:LABEL_CONCEPTS]
            if concepts[i] > CONCEPT_MIN
        ]
        if keys:
            label = theme_label(keys)
        else:
            shared = _shared_words([words[i] for i in members], document_frequency, len(texts))
            # Translators: the separator between the words that name a theme.
            label = _(" · ").join(shared) if shared else theme_label([])
        themes.append({"label": label, "members": [int(i) for i in members]})
    themes.sort(key=lambda theme: (-len(theme["members"]), theme["members"][0]))
    return themes
