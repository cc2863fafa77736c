"""Eval cost against book size: one kernel run's drift evaluation (cross-chapter similarity
included) for books of 10 to 200 chapters of about 5,000 words.

Rerun: `uv run python bench/eval_scaling.py [--quick]`.

Each size times a run of 3 iterations of the drift-detection eval of one chapter against all the
others, two ways in the same process: as shipped (the other chapters' word vectors and 5-word
shingles computed once and reused by the next iterations) and as a baseline with them recomputed
for every iteration. The book's config is the project layout's, so the near-copy share is timed
(its first pass builds the shingle sets, about twice the cosine's; cached, it is faster). Reports
the medians, their ratio, and the growth exponent (slope of log time against log chapters; 2
would be quadratic). Writes docs/images/bench-eval-scaling.png.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from plots import line_plot, scratch

from state_runner.domain.evals.config import normalise_drift_detection
from state_runner.domain.evals.drift import drift_detection, text_bag
from state_runner.domain.evals.near_copy import clear_caches

WORDS_PER_CHAPTER = 5000
ITERATIONS = 3
VOCABULARY = [f"w{i}{chr(97 + i % 26)}" for i in range(6000)]


def chapter(rng: random.Random) -> str:
    words = rng.choices(VOCABULARY, k=WORDS_PER_CHAPTER)
    sentences = [" ".join(words[i : i + 15]).capitalize() + "." for i in range(0, len(words), 15)]
    return "\n".join(sentences)


def forget() -> None:
    """Drop the cached word vectors and shingles of both cross-chapter measures."""
    text_bag.cache_clear()
    clear_caches()


def one_run(text: str, others: dict[str, str], config: dict[str, object], reuse: bool) -> float:
    """Seconds for ITERATIONS drift evaluations of `text` (a word changed each time)."""
    forget()  # a new run starts with nothing computed
    started = time.perf_counter()
    for iteration in range(ITERATIONS):
        if not reuse:
            forget()
        drift_detection(
            text + f" revision{iteration}", config, baseline_text=text,
            other_chapters=others, timestamp="bench",
        )  # fmt: skip
    return time.perf_counter() - started


def slope(xs: list[int], ys: list[float]) -> float:
    """Least-squares slope of log(y) against log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sum(
        (a - mx) ** 2 for a in lx
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10, 20, 40 chapters, 1 repeat")
    args = parser.parse_args()
    if args.quick:
        scratch()
    sizes = [10, 20, 40] if args.quick else [10, 25, 50, 100, 200]
    repeats = 1 if args.quick else 3
    rng = random.Random(7)
    config = normalise_drift_detection({})
    book = [chapter(rng) for _ in range(max(sizes))]
    shipped, baseline = [], []
    print(f"{'chapters':>8}  {'reused':>15}  {'recomputed':>11}  ratio")
    for size in sizes:
        text, others = book[0], {f"c{i}": book[i] for i in range(1, size)}
        reused = statistics.median(one_run(text, others, config, True) for _ in range(repeats))
        fresh = statistics.median(one_run(text, others, config, False) for _ in range(repeats))
        shipped.append(reused)
        baseline.append(fresh)
        print(f"{size:>8}  {reused:>13.3f} s  {fresh:>9.3f} s  {reused / fresh:.2f}x")
    print(f"growth exponent (1 = linear, 2 = quadratic): {slope(sizes, shipped):.2f}")
    path = line_plot(
        "bench-eval-scaling",
        {"reused (shipped)": (sizes, shipped), "recomputed": (sizes, baseline)},
        title=f"Drift eval, {ITERATIONS} iterations of one chapter",
        xlabel="chapters in the book", ylabel="seconds", loglog=True,
    )  # fmt: skip
    print(f"plot: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")


if __name__ == "__main__":
    main()
