"""The goals of issue 17 on the labelled multilingual set, for the method, with the plain baseline beside it.

Figures in docs/insights.md (``python -m tests.insights.evaluation`` prints them).
"""

from types import SimpleNamespace

import numpy as np
import pytest

from tests.insights import dataset
from tests.insights.evaluation import evaluate


@pytest.fixture(scope="module")
def figures():
    return evaluate()


@pytest.fixture(scope="module")
def baseline():
    return evaluate(plain=True)


def test_the_set_has_the_size_the_issue_asks_for():
    cases = dataset.build()
    recurring = {case.problem for case in cases if not case.problem.startswith("one-off")}
    assert len(cases) >= 300
    assert len(recurring) >= 15
    assert len({case.language for case in cases}) >= 6
    assert any(case.duplicate_of is not None and case.language != cases[case.duplicate_of].language for case in cases)


def test_themes_match_the_true_problems(figures):
    assert figures.nmi >= 0.80
    assert figures.ari >= 0.60
    assert figures.purity >= 0.85
    assert figures.coverage >= 0.85


def test_themes_cross_languages(figures):
    assert figures.languages_per_theme >= 3


def test_a_relodging_is_among_the_three_most_similar_cases_even_in_another_language(figures):
    assert figures.dup_recall3 >= 0.9


def test_the_planted_problem_is_flagged_emerging_and_at_most_one_other(figures):
    assert figures.emerging_flagged
    assert figures.false_flags <= 1


def test_the_plain_ngram_baseline_groups_by_language_and_falls_short(baseline, figures):
    # What the concepts and the centring buy: the baseline's themes stay within one script.
    assert baseline.languages_per_theme < 1.5
    assert baseline.ari < figures.ari - 0.3


def test_the_model_benchmark_skips_cleanly_without_its_packages(monkeypatch, capsys):
    # bench/insights_models.py compares bundled embedding models that are not dependencies of the portal.
    from bench import insights_models

    monkeypatch.setattr(insights_models, "available", lambda: [])
    assert insights_models.main([]) == 0
    assert "skipped: no bundled model is installed" in capsys.readouterr().out


def test_centring_per_language_turns_neighbours_of_one_language_into_neighbours_of_one_problem():
    # What a small multilingual model does: a large shared direction per language, a small one per problem.
    from bench.insights_models import _unit, centred, neighbours

    rng = np.random.default_rng(17)
    languages, problems = ("en", "th", "vi"), ("otp", "pension", "card")
    language_axis = {language: rng.normal(size=64) * 3 for language in languages}
    problem_axis = {problem: rng.normal(size=64) for problem in problems}
    cases, rows = [], []
    for language in languages:
        for problem in problems:
            for _ in range(8):
                cases.append(SimpleNamespace(key=len(cases), language=language, problem=problem))
                rows.append(language_axis[language] + problem_axis[problem] + rng.normal(size=64) * 0.3)
    raw = _unit(np.array(rows, dtype=np.float32))
    same_language, same_problem = neighbours(raw, cases, k=5)
    assert same_language > 0.9
    same_language, same_problem = neighbours(centred(raw, [case.language for case in cases]), cases, k=5)
    assert same_problem > 0.9
    assert same_language < 0.6
