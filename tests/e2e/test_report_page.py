"""The refinement report in a real headless browser (Debian's Chromium): it loads offline with
no console error, lays every chart out in its cell, draws a page that is not blank, and plots
exactly the ledger's numbers."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from PIL import Image
from selenium.webdriver.support.ui import WebDriverWait

from state_runner_contract.servers.model_server import ModelServer
from support.browser import headless_chromium
from support.copilot_run import copilot_args
from support.kernel_model import KernelModel
from support.svg_series import SVG, chart_svgs, is_affine_image, marker_heights
from support.workspace import Book, run_cli

CHARTS = ["critic-scores", "quality-total", "drift-score", "diff-ratio", "tokens"]
LAID_OUT = """
const charts = Array.from(document.querySelectorAll('.chart'));
return document.readyState === 'complete' && charts.map(div => {
  const box = div.querySelector('svg').getBoundingClientRect();
  return [div.id, box.width > 100 && box.height > 50 && box.width <= div.clientWidth + 1];
});
"""
PLOTTED = """
return Array.from(document.querySelectorAll('.chart')).map(
  div => [div.id, JSON.parse(div.dataset.series)]);
"""


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def expected_series(book: Book, cid: str) -> dict[str, dict[str, list[Any]]]:
    """Straight from the state's logs: what each chart must show, per series name."""
    state = book.root / "state"
    metrics = jsonl(state / "metrics" / f"{cid}.jsonl")
    chapter = jsonl(state / "ledger" / "chapters" / f"{cid}.jsonl")
    repo = [e for e in jsonl(state / "ledger" / "repo_iteration_log.jsonl")]
    critic = {
        name: [m["critic"][name] for m in metrics]
        for name in ("structure_score", "clarity_score", "example_density", "drift_score")
    }
    return {
        "critic-scores": critic,
        "quality-total": {
            "Chapter-quality total": [e["evals"]["chapter_quality"]["total"] for e in repo]
        },
        "drift-score": {"Drift score": [e["drift_score"] for e in chapter]},
        "diff-ratio": {"Diff ratio": [e["diff_size"] for e in chapter]},
        "tokens": {
            "prompt": [e["resource_usage"]["prompt_tokens"] for e in repo],
            "completion": [e["resource_usage"]["completion_tokens"] for e in repo],
        },
    }


def test_the_report_loads_offline_and_plots_the_ledgers_numbers(
    book: Book, server: ModelServer, env: dict[str, str], tmp_path: Path
) -> None:
    cid = book.active_id
    server.responder = KernelModel(approve=False)
    ran = run_cli(*copilot_args(book, server, "--max-iterations", "2"), cwd=book.root, env=env)
    assert ran.code == 1, ran.stderr
    page = tmp_path / "report.html"
    made = run_cli("report", "--chapter-id", cid, "--out", str(page), cwd=book.root, env=env)
    assert made.code == 0, made.stderr
    assert made.stdout == f"{cid}: report of 2 iteration(s) written to {page}\n"
    text = page.read_text()
    assert "<script" not in text  # self-contained: nothing to fetch, nothing to run

    with headless_chromium() as browser:
        browser.get(page.as_uri())
        laid_out = WebDriverWait(browser, 30).until(lambda b: b.execute_script(LAID_OUT))
        plotted = dict(browser.execute_script(PLOTTED))
        console = browser.get_log("browser")
        shot = Image.open(io.BytesIO(browser.get_screenshot_as_png())).convert("RGB")

    assert [entry for entry in console if entry["level"] == "SEVERE"] == []
    assert laid_out == [[chart, True] for chart in CHARTS]
    assert list(plotted) == CHARTS
    svgs = chart_svgs(text)
    for chart, series in expected_series(book, cid).items():
        assert plotted[chart] == series, chart
        texts = {"".join(t.itertext()).strip() for t in svgs[chart].iter(f"{SVG}text")}
        assert {"1", "2", "iteration"} <= texts, chart  # one tick per iteration
        if chart != "tokens":  # the bars' heights: tests/unit/test_report_charts.py
            for n, values in enumerate(series.values()):
                drawn = marker_heights(svgs[chart], f"{chart}-series-{n}")
                assert is_affine_image(drawn, values, slope_sign=-1), (chart, n)
    colours = shot.resize((280, 360)).getcolors(maxcolors=1 << 16) or []
    assert len(colours) > 20, "the screenshot is (nearly) one colour"
    shot.save(tmp_path / "report.png")
