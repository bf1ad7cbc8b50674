"""How long do the themes of a consultation's written answers take to compute?

Groups ``--answers`` written answers (default 2,000) the way the owner's
analysis page does on a cold cache (``consultations.analysis`` asks the
insights wing's grouper through ``portal.registry``): vectorise, fit the
space on these answers, cluster, name the themes. The answers are made from
the multilingual grievances of tests/insights/dataset.py, two to an answer,
so they are as long as a paragraph and mix several problems. No database:
reading 2,000 answers is one indexed query, timed by the tests' page, not here.

    .venv/bin/python bench/answer_themes.py --answers 2000

Last line::

    answer_themes: answers=N themes=T median_seconds=S median_cpu_seconds=C per_1000_seconds=P
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, bench/ comes first on sys.path, and bench/queue.py would shadow the standard library's queue.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
sys.modules.pop("queue", None)
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def answers(count: int) -> list[str]:
    from tests.insights import dataset

    cases = dataset.build()
    pick = random.Random(17)
    texts = []
    for n in range(count):
        first = cases[n % len(cases)]
        second = pick.choice([case for case in cases[:200] if case.language == first.language])
        texts.append(f"{first.text} {second.text} ({n})")
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("SUARA_VAR_DIR", "/tmp/var-answer-themes-bench")
    import django

    django.setup()
    from django.utils import translation

    from portal import registry

    texts = answers(args.answers)
    print(f"mean answer length: {statistics.mean(len(text) for text in texts):.0f} characters")
    timings, cpu = [], []
    with translation.override("en"):
        for _ in range(args.runs):
            started, started_cpu = time.perf_counter(), time.process_time()
            themes = registry.text_themes(texts, language="en")
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    median = statistics.median(timings)
    for theme in themes[:5]:
        print(f"  {len(theme['members']):5d}  {theme['label']}")
    print(f"runs: {', '.join(f'{t:.2f}' for t in timings)} s wall; {', '.join(f'{t:.2f}' for t in cpu)} s CPU")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (wall time stretches on a shared machine; CPU does not)")
    print(
        f"answer_themes: answers={len(texts)} themes={len(themes)} median_seconds={median:.2f} "
        f"median_cpu_seconds={statistics.median(cpu):.2f} per_1000_seconds={median / len(texts) * 1000:.2f}"
    )


if __name__ == "__main__":
    main()
