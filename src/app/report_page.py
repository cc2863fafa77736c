"""The refinement report of one chapter: one self-contained HTML page (plotly.js inlined, so it
opens offline) with a chart per measure, each iteration's verdict and reasons, and its diff."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from state_runner.domain.chapter_history import CRITIC_SCORES, IterationPoint

# Chart id -> (title, y-axis label); the ids are the page's contract with its tests.
CHARTS = {
    "critic-scores": ("Critic scores", "score"),
    "quality-total": ("Chapter-quality total", "total"),
    "drift-score": ("Drift score", "score"),
    "diff-ratio": ("Diff ratio", "changed lines / old lines"),
    "tokens": ("Tokens", "tokens"),
}

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1rem; }
.chart { min-width: 0; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .3rem .6rem; }
td.passed { color: #176f2c; font-weight: 600; } td.refine { color: #9a6700; font-weight: 600; }
pre { background: #f6f8fa; padding: .8rem; overflow-x: auto; font-size: .85rem; }
.add { color: #176f2c; } .del { color: #b42318; } .hunk { color: #6e40c9; }
"""


def traces(chart: str, points: Sequence[IterationPoint]) -> list[dict[str, Any]]:
    """The (name, x, y) series a chart draws: exactly the history's numbers."""
    xs = [p.iteration for p in points]
    if chart == "critic-scores":
        return [
            {
                "name": name,
                "x": xs,
                "y": [p.critic.get(name) for p in points],
                "mode": "lines+markers",
            }
            for name in CRITIC_SCORES
        ]
    if chart == "tokens":
        return [
            {"name": "prompt", "x": xs, "y": [p.prompt_tokens for p in points], "type": "bar"},
            {
                "name": "completion",
                "x": xs,
                "y": [p.completion_tokens for p in points],
                "type": "bar",
            },
        ]
    values = {
        "quality-total": [p.quality_total for p in points],
        "drift-score": [p.drift_score for p in points],
        "diff-ratio": [p.diff_ratio for p in points],
    }[chart]
    return [{"name": CHARTS[chart][0], "x": xs, "y": values, "mode": "lines+markers"}]


def figure_json(chart: str, points: Sequence[IterationPoint]) -> str:
    """The plotly figure (data, layout) of one chart, as JSON for `Plotly.newPlot`."""
    import plotly.graph_objects as go

    figure = go.Figure()
    for trace in traces(chart, points):
        kind = trace.pop("type", "scatter")
        figure.add_trace(go.Bar(**trace) if kind == "bar" else go.Scatter(**trace))
    title, y_label = CHARTS[chart]
    figure.update_layout(
        title=title, xaxis_title="iteration", yaxis_title=y_label, height=320,
        margin={"l": 50, "r": 20, "t": 50, "b": 40}, barmode="stack", autosize=True,
        xaxis={"tickmode": "linear", "dtick": 1}, legend={"orientation": "h", "y": -0.3},
    )  # fmt: skip
    return str(figure.to_json())


def charts_script(points: Sequence[IterationPoint]) -> str:
    """Draw every chart once the page is laid out, each filling its grid cell."""
    from plotly.offline import get_plotlyjs

    figures = ",\n".join(f'"{chart}": {figure_json(chart, points)}' for chart in CHARTS)
    return f"""<script>{get_plotlyjs()}</script>
<script>
const FIGURES = {{{figures}}};
window.addEventListener("DOMContentLoaded", () => {{
  for (const [id, figure] of Object.entries(FIGURES)) {{
    Plotly.newPlot(id, figure.data, figure.layout, {{displaylogo: false, responsive: true}});
  }}
}});
</script>"""


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
    reasons = "".join(f"<li>{html.escape(r)}</li>" for r in point.reasons) or "<li>none</li>"
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
<p>Reasons:</p><ul>{reasons}</ul>
<details><summary>Chapter diff</summary><pre>{shown}</pre></details>"""


def render(chapter_id: str, points: Sequence[IterationPoint], diffs: Mapping[int, str]) -> str:
    """The whole page."""
    charts = "\n".join(f'<div class="chart"><div id="{chart}"></div></div>' for chart in CHARTS)
    iterations = "\n".join(iteration_html(p, diffs.get(p.iteration)) for p in points)
    title = f"Refinement report: {html.escape(chapter_id)}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{STYLE}</style></head>
<body><h1>{title}</h1>
<p>{len(points)} iteration(s); every number below comes from the book's state logs.</p>
<div class="charts">{charts}</div>
{iterations}
{charts_script(points)}
</body></html>
"""
