"""The report's charts (app/report_charts.py): inline SVG that draws exactly the history's numbers,
with the titles, axes and legends of each chart, ids unique in the page, and nothing to fetch."""

from __future__ import annotations

import html
import json
import math
import re

from state_runner.app.report_charts import CHARTS, series
from state_runner.app.report_page import render
from state_runner.domain.chapter_history import CRITIC_SCORES, IterationPoint
from support.svg_series import SVG, bar_heights, chart_svgs, is_affine_image, marker_heights


def point(i: int) -> IterationPoint:
    critic = {"structure_score": 0.5 + i / 40, "clarity_score": 0.9 - i / 50,
              "example_density": 0.3 + (i % 3) / 10, "drift_score": 0.05 * (i % 4)}  # fmt: skip
    if i == 4:
        del critic["clarity_score"]  # a score the critic did not give: a gap, not a zero
    return IterationPoint(
        iteration=i, critic=critic, quality_total=0.6 + i / 100, drift_score=0.02 * i,
        diff_ratio=0.3 / i, prompt_tokens=1000 + 37 * i, completion_tokens=400 + 11 * i,
    )  # fmt: skip


POINTS = [point(i) for i in range(1, 11)]


def test_every_series_is_drawn_from_its_numbers() -> None:
    svgs = chart_svgs(render("01-x", POINTS, {}))
    assert list(svgs) == list(CHARTS)
    for chart, svg in svgs.items():
        for n, values in enumerate(series(chart, POINTS).values()):
            gid = f"{chart}-series-{n}"
            if chart == "tokens":
                drawn = bar_heights(svg, gid, len(POINTS))
                numbers = [float(v or 0) for v in values]
                assert is_affine_image(drawn, numbers, slope_sign=1), gid
                assert math.isclose(drawn[0] / numbers[0], drawn[-1] / numbers[-1], rel_tol=1e-4)
            else:
                numbers = [v for v in values if v is not None]
                assert is_affine_image(marker_heights(svg, gid), numbers, slope_sign=-1), gid


def test_the_series_are_the_historys_numbers_and_a_missing_one_is_left_out() -> None:
    assert series("critic-scores", POINTS)["clarity_score"][3] is None
    assert list(series("critic-scores", POINTS)) == list(CRITIC_SCORES)
    assert series("tokens", POINTS)["prompt"] == [1000.0 + 37 * i for i in range(1, 11)]
    assert series("diff-ratio", POINTS) == {"Diff ratio": [0.3 / i for i in range(1, 11)]}
    nan = IterationPoint(iteration=1, drift_score=math.nan, quality_total=math.inf)
    assert series("drift-score", [nan]) == {"Drift score": [None]}
    assert series("quality-total", [nan]) == {"Chapter-quality total": [None]}


def test_each_chart_carries_its_title_axes_legend_and_series_data() -> None:
    page = render("01-x", POINTS, {})
    for chart, svg in chart_svgs(page).items():
        texts = {"".join(t.itertext()).strip() for t in svg.iter(f"{SVG}text")}
        title, y_label = CHARTS[chart]
        assert {title, "iteration", y_label} <= texts, chart
        names = list(series(chart, POINTS))
        if len(names) > 1:
            assert set(names) <= texts, chart  # the legend
        cell = re.search(rf'<div class="chart" id="{chart}" data-series="([^"]*)"', page)
        assert cell is not None
        assert json.loads(html.unescape(cell.group(1))) == series(chart, POINTS)


def test_the_page_has_unique_ids_no_script_and_nothing_to_fetch() -> None:
    page = render("01-x", POINTS, {1: "--- a\n+++ b\n"})
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    references = re.findall(r'(?:href="#|url\(#)([^")]+)', page)
    assert references and set(references) <= set(ids)
    assert "<script" not in page
    assert re.findall(r'\b(?:src|href)\s*=\s*["\']?(?:https?:)?//', page) == []
    assert "@import" not in page and "url(http" not in page


def test_a_chapter_with_no_iteration_gets_empty_charts() -> None:
    svgs = chart_svgs(render("01-x", [], {}))
    assert list(svgs) == list(CHARTS)
