"""The report's charts, drawn by matplotlib as inline SVG: no script and nothing to fetch, so the
page opens offline and stays small (a few kilobytes per chart).

Every id in a chart's SVG starts with the chart's id, so the five charts share none in the page;
each series is a group with the id `<chart>-series-<n>` (a bar of it: `<chart>-series-<n>-bar-<k>`),
in the order of `series`, so a test can read what was drawn.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Sequence

from state_runner.domain.chapter_history import CRITIC_SCORES, IterationPoint

# Chart id -> (title, y-axis label); the ids are the page's contract with its tests.
CHARTS = {
    "critic-scores": ("Critic scores", "score"),
    "quality-total": ("Chapter-quality total", "total"),
    "drift-score": ("Drift score", "score"),
    "diff-ratio": ("Diff ratio", "changed lines / old lines"),
    "tokens": ("Tokens", "tokens"),
}
BARS = ("tokens",)  # stacked bars; the other charts are lines with markers
Series = dict[str, list[float | None]]


def series(chart: str, points: Sequence[IterationPoint]) -> Series:
    """The named series a chart draws, one value per iteration: exactly the history's numbers
    (a value that is not finite, which a log's `NaN` reads as, is drawn as missing)."""
    return {name: [_finite(v) for v in values] for name, values in _raw(chart, points).items()}


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _raw(chart: str, points: Sequence[IterationPoint]) -> Series:
    if chart == "critic-scores":
        return {name: [p.critic.get(name) for p in points] for name in CRITIC_SCORES}
    if chart == "tokens":
        return {
            "prompt": [float(p.prompt_tokens) for p in points],
            "completion": [float(p.completion_tokens) for p in points],
        }
    values = {
        "quality-total": [p.quality_total for p in points],
        "drift-score": [p.drift_score for p in points],
        "diff-ratio": [p.diff_ratio for p in points],
    }[chart]
    return {CHARTS[chart][0]: values}


def _plotted(values: list[float | None]) -> list[float]:
    """A missing value as NaN, which matplotlib leaves out (a gap in the line)."""
    return [math.nan if v is None else v for v in values]


def svg(chart: str, points: Sequence[IterationPoint]) -> str:
    """One chart as an `<svg>` element (title, axes, legend), ready to inline in HTML."""
    import matplotlib  # here, not at the top: the other commands start without it
    from matplotlib.figure import Figure

    xs = [p.iteration for p in points]
    figure = Figure(figsize=(6.4, 3.4), layout="constrained")
    axes = figure.add_subplot()
    below = [0.0] * len(xs)
    drawn = series(chart, points)
    for n, (name, values) in enumerate(drawn.items()):
        gid = f"series-{n}"
        if chart in BARS:
            bars = axes.bar(xs, _plotted(values), bottom=below, label=name)
            for k, bar in enumerate(bars):
                bar.set_gid(f"{gid}-bar-{k}")
            below = [b + (v or 0.0) for b, v in zip(below, values, strict=True)]
        else:
            (line,) = axes.plot(xs, _plotted(values), marker="o", label=name)
            line.set_gid(gid)
    title, y_label = CHARTS[chart]
    axes.set(title=title, xlabel="iteration", ylabel=y_label, xticks=xs)
    axes.grid(alpha=0.3)
    if len(drawn) > 1:
        axes.legend(fontsize="small")
    out = io.StringIO()
    # Text stays text (small, selectable); the salt makes the generated ids stable.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": chart}):
        figure.savefig(out, format="svg", metadata={"Date": None})
    return _with_prefixed_ids(_element(out.getvalue()), chart)


def _element(document: str) -> str:
    """The `<svg>` element of a standalone SVG file, without its prologue and metadata."""
    element = document[document.index("<svg") :]
    start, end = element.find("<metadata>"), element.find("</metadata>")
    if start >= 0 and end > start:
        element = element[:start] + element[end + len("</metadata>") :]
    return element.strip()


_ID_OR_REFERENCE = re.compile(r'(\bid="|xlink:href="#|url\(#)')


def _with_prefixed_ids(element: str, chart: str) -> str:
    """Every id, and every reference to one, with `<chart>-` in front."""
    return _ID_OR_REFERENCE.sub(lambda match: f"{match.group(1)}{chart}-", element)
