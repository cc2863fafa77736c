"""The refinement report of one chapter: one self-contained HTML page (the charts are inline SVG,
app/report_charts.py, so it opens offline) with a chart per measure, each iteration's verdict,
its failed checks as the run's summary words them, the critic's reasons, and its diff."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence

from state_runner.app.report_charts import CHARTS, series, svg
from state_runner.domain.chapter_history import IterationPoint

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem; }
.chart { min-width: 0; } .chart svg { width: 100%; height: auto; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .3rem .6rem; }
td.passed { color: #176f2c; font-weight: 600; } td.refine { color: #9a6700; font-weight: 600; }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; font-size: .85rem; }
.add { color: #176f2c; } .del { color: #b42318; } .hunk { color: #6e40c9; }
"""


def chart_html(chart: str, points: Sequence[IterationPoint]) -> str:
    """One chart's cell: its SVG drawing, and its series as JSON (`data-series`, for tests)."""
    data = json.dumps(series(chart, points), allow_nan=False)
    return (
        f'<div class="chart" id="{chart}" data-series="{html.escape(data)}">'
        f"{svg(chart, points)}</div>"
    )


def diff_html(diff: str) -> str:
    lines = []
    for line in diff.splitlines():
        kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "")
        if line.startswith(("+++", "---")):
            kind = ""
        escaped = html.escape(line)
        lines.append(f'<span class="{kind}">{escaped}</span>' if kind else escaped)
    return "\n".join(lines) or "(no change)"


def iteration_html(point: IterationPoint, diff: str | None) -> str:
    reasons = "".join(
        [f'<li class="failed-check">failed {html.escape(c)}</li>' for c in point.failed_checks]
        + [f"<li>{html.escape(r)}</li>" for r in point.reasons]
    )
    drift = "-" if point.drift_score is None else f"{point.drift_score:.2f}"
    ratio = "-" if point.diff_ratio is None else f"{point.diff_ratio:.2f}"
    shown = "(the iteration's files are gone)" if diff is None else diff_html(diff)
    return f"""
<h2 id="iteration-{point.iteration}">Iteration {point.iteration}</h2>
<table><tr><th>verdict</th><th>critic</th><th>drift</th><th>diff ratio</th><th>tokens</th>
<th>at</th></tr>
<tr><td class="{html.escape(point.verdict)}">{html.escape(point.verdict or "-")}</td>
<td>{html.escape(point.critic_decision or "-")}</td><td>{drift}</td><td>{ratio}</td>
<td>{point.tokens:,}</td><td>{html.escape(point.timestamp or "-")}</td></tr></table>
<p>Reasons:</p><ul>{reasons or "<li>none</li>"}</ul>
<details><summary>Chapter diff</summary><pre>{shown}</pre></details>"""


def render(chapter_id: str, points: Sequence[IterationPoint], diffs: Mapping[int, str]) -> str:
    """The whole page."""
    charts = "\n".join(chart_html(chart, points) for chart in CHARTS)
    iterations = "\n".join(iteration_html(p, diffs.get(p.iteration)) for p in points)
    title = f"Refinement report: {html.escape(chapter_id)}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{STYLE}</style></head>
<body><h1>{title}</h1>
<p>{len(points)} iteration(s); every number below comes from the book's state logs.</p>
<div class="charts">{charts}</div>
{iterations}
</body></html>
"""
