"""Empty, one-word, emoji-only, huge, mixed-script and spam texts neither crash nor take over a theme."""

import numpy as np

from grievances.insights import clustering, vectors
from tests.insights import dataset

BAD = [
    "",
    "   ",
    "help",
    "😡😡😡🙏🙏",
    "OTP " * 25_000,
    "ไม่ได้รับเงิน không nhận được 钱 payment mixed แล้ว",
    "BUY CHEAP PHONES NOW!!! visit www.spam.example call +66 81 234 5678 spam@example.org",
]


def test_bad_texts_give_vectors_of_the_right_shape_without_crashing():
    for text in BAD:
        raw = vectors.vectorise(text)
        assert raw.shape == (vectors.DIMS,)
        assert np.isfinite(raw).all()


def test_empty_and_emoji_only_texts_say_nothing_and_join_no_theme():
    space = vectors.Space()
    for text in ("", "   ", "😡😡😡🙏🙏"):
        assert not space.transform(vectors.vectorise(text), ["en"]).any()


def test_a_hundred_thousand_characters_cost_no_more_than_a_page():
    assert len(vectors.normalise("x" * 100_000)) == vectors.MAX_CHARS


def test_phone_numbers_and_addresses_are_not_part_of_what_is_compared():
    normalised = vectors.normalise("Call me on +66 81 234 5678 or somchai@example.org, see https://x.example/a")
    assert "5678" not in normalised
    assert "@" not in normalised
    assert "example" not in normalised


def test_a_flood_of_spam_does_not_enter_or_take_over_a_real_theme():
    cases = dataset.build()
    spam = [BAD[-1].replace("CHEAP", f"CHEAP{n}") for n in range(60)]
    texts = [case.text for case in cases] + spam + BAD[:-1]
    languages = [case.language for case in cases] + ["en"] * (len(spam) + len(BAD) - 1)
    raw = vectors.vectorise_many(texts)
    space = vectors.Space.fit(raw, languages)
    result = clustering.cluster(space.transform(raw, languages))
    real_themes = {int(label) for label in result.labels[: len(cases)] if label >= 0}
    spam_labels = {int(label) for label in result.labels[len(cases) : len(cases) + len(spam)] if label >= 0}
    assert not real_themes & spam_labels
    # The other bad texts may join the theme they speak of ("OTP OTP OTP…"), one case among many.
    for label in real_themes:
        members = result.labels == label
        bad = members[len(cases) :].sum()
        assert bad <= 1 < members[: len(cases)].sum()
    # The real problems are still found (the spam did not swallow them).
    assert len(real_themes) >= 15
