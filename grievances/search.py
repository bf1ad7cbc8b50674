"""Word search over grievance texts, in every script the portal offers.

Thai, Lao, Khmer, Burmese and Chinese are written without spaces between
words, so no word list (PostgreSQL's ``tsvector``) can be built from them
without a dictionary per language. Instead the queue matches *substrings* of
a folded copy of the text, through a trigram index on PostgreSQL
(``pg_trgm``), which needs no notion of words at all:

* the text is folded by one SQL function, ``suara_search_fold`` (migration
  0010_script_search; a trigger keeps the folded copy in ``search_text``):
  accents off (``unaccent``: "tien" finds "tiền"), lower case,
  punctuation to spaces, a space on either side of the whole, and a space on
  either side of every Chinese character (below);
* a word in a script written with spaces (Latin, Vietnamese, Bengali,
  Devanagari, Urdu) must *start* a word: ``LIKE '% pay%'`` finds "payment"
  and "pay" but not "repay", which keeps English results close to the
  whole-word search this replaced;
* a word in Thai, Lao, Khmer or Burmese may sit anywhere: ``LIKE '%เงิน%'``;
* every Chinese character is its own "word" to the trigram index (the spaces
  the fold puts around it), so a two-character word such as 补助 still gives
  the index four trigrams to look up (each character alone), and the
  ``LIKE`` then checks that the two stand together. Without those spaces a
  term shorter than three characters gives ``pg_trgm`` nothing to look up.

What is left without an index: a Thai, Lao, Khmer or Burmese term of one or
two characters (code points). It still works: PostgreSQL walks the agency's
queue in its order and tests each case, stopping after a page, and the count
stops at 1,001. Such a short string sits inside a great many longer words,
so it finds its page quickly; a term that is both that short and rare is the
slow case: it reads the agency's whole open queue (not benchmarked).

The narrative of a sensitive-category case is sealed at rest (docs/privacy.md)
and is not searchable: both folds give it nothing. Its reference still finds it.

Several words are all required (AND), like the search they replaced. On
SQLite (the embedded default) the same fold is a Python function registered
on each connection, and the match is the same ``LIKE`` without an index.
"""

from __future__ import annotations

import re
import unicodedata

from django.db.models import BooleanField, F, Func, Q, QuerySet

from portal.lib.datakeys import is_sealed

FOLD_FUNCTION = "suara_search_fold"
MAX_WORDS = 8

# Punctuation that becomes a space before matching, so that "(payment" and
# "e-wallet" still start a word. A fixed list rather than a character class:
# the folded text is stored in an index, and must not change when the
# operating system's locale tables do. Never "%", "_" or "\": they are the
# LIKE pattern's own characters, escaped in the words searched for.
PUNCTUATION = (
    ".,;:!?()[]{}<>\"'`/|+=*&^~#@$-"
    "\u2013\u2014\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026\u00b7\u00a0\t\r\n"  # dashes, quotes, spaces
    "\u060c\u061b\u061f\u06d4"  # Arabic script: comma, semicolon, question mark, full stop
    "\u0964\u0965"  # danda and double danda (Bengali, Devanagari)
    "\u3001\u3002\uff0c\uff1b\uff1a\uff1f\uff01\uff08\uff09\u300c\u300d"  # Chinese punctuation
)

# Chinese characters (and Japanese kana, which share the problem): each is
# spaced on its own by the fold. Migration 0009 holds a copy of this and of
# PUNCTUATION (migrations are frozen); a test holds the SQL and Python folds together.
HAN_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN = re.compile(f"([{HAN_CLASS}])")
# Scripts written without spaces between words, matched anywhere in the text.
UNSPACED = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u19e0-\u19ff\ua9e0-\ua9ff\uaa60-\uaa7f]")

_PUNCTUATION_TO_SPACE = str.maketrans(PUNCTUATION, " " * len(PUNCTUATION))
_LATIN_EXTRAS = str.maketrans({"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae"})


def fold(text: str | None) -> str | None:
    """The Python twin of the SQL ``suara_search_fold``, for SQLite (and for reading).

    Marks are taken off Latin letters only: a Thai tone mark or a Khmer
    subscript changes the word, a Vietnamese accent is what people leave out.
    """
    if text is None:
        return None
    kept: list[str] = []
    base_is_latin = False
    for char in unicodedata.normalize("NFD", text.translate(_PUNCTUATION_TO_SPACE)):
        if unicodedata.combining(char):
            if base_is_latin:
                continue
        else:
            base_is_latin = char < "\u0250" or "\u1e00" <= char <= "\u1eff"
        kept.append(char)
    folded = unicodedata.normalize("NFC", "".join(kept)).translate(_LATIN_EXTRAS).lower()
    return " " + HAN.sub(r" \1 ", folded) + " "


SEARCH_COLUMN = "search_text"  # PostgreSQL: the folded description, kept by a trigger (migration 0009)


class WordMatch(Func):
    """True when the folded text holds the word: ``<folded text> LIKE <pattern made from fold(word)>``.

    The folded text is the stored column ``search_text`` on PostgreSQL (what
    the trigram index covers; folding each candidate row anew cost more than
    the index saved) and ``suara_search_fold(description)`` on SQLite. The
    pattern is folded by the database's own function, so query and text are
    folded alike; it is a function of a constant, which PostgreSQL folds
    before planning, so the index and its statistics see an ordinary pattern.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, expression, word: str):
        super().__init__(expression)
        self.word = word

    def _pattern(self) -> tuple[str, list[str]]:
        escaped = self.word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        if HAN.search(self.word):
            # Spaced both sides by the fold: keep the spaces, they bound the characters.
            folded = f"{FOLD_FUNCTION}(%s)"
        elif UNSPACED.search(self.word):
            folded = f"trim({FOLD_FUNCTION}(%s))"  # anywhere, even inside a run of letters
        else:
            folded = f"rtrim({FOLD_FUNCTION}(%s))"  # the leading space: at the start of a word
        return f"'%%' || {folded} || '%%'", [escaped]

    def as_sql(self, compiler, connection, **extra_context):
        text_sql, text_params = compiler.compile(self.source_expressions[0])
        pattern, params = self._pattern()
        return f"{FOLD_FUNCTION}({text_sql}) LIKE {pattern} ESCAPE '\\'", [*text_params, *params]

    def as_postgresql(self, compiler, connection, **extra_context):
        column = self.source_expressions[0]
        alias = compiler.quote_name(column.alias)
        pattern, params = self._pattern()
        return f"{alias}.{connection.ops.quote_name(SEARCH_COLUMN)} LIKE {pattern}", params


def words_of(query: str) -> list[str]:
    """The words a query asks for, as typed, without repeats; at most :data:`MAX_WORDS`.

    Matched as typed: the database folds each one with its own function.
    """
    words: list[str] = []
    for word in query.translate(_PUNCTUATION_TO_SPACE).split():
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


def text_search(queryset: QuerySet, query: str, field: str = "description") -> QuerySet:
    """The rows whose ``field`` holds every word of ``query`` (see the module's docstring)."""
    condition = Q()
    for word in words_of(query):
        condition &= WordMatch(F(field), word)
    return queryset.filter(condition) if condition else queryset


def _fold_stored(text: str | None) -> str | None:
    # A sealed narrative (a sensitive case's) is not searchable: it folds to
    # nothing, as the PostgreSQL trigger stores nothing for it (migration 0012).
    if text is not None and is_sealed(text):
        return " "
    return fold(text)


def register_sqlite_fold(sender, connection, **kwargs) -> None:
    """``connection_created`` receiver: SQLite has no ``suara_search_fold``; give it the Python one."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(FOLD_FUNCTION, 1, _fold_stored, deterministic=True)
