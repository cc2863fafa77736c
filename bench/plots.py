"""Plots for the benchmark page (docs/benchmarks.md): PNG files under docs/images/."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
_target = {"folder": IMAGES}


def scratch() -> None:
    """`--quick` runs draw into the temp folder: the page's plots come from full runs."""
    _target["folder"] = Path(tempfile.gettempdir()) / "state-runner-bench"


def _path(name: str) -> Path:
    folder = _target["folder"]
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"


def line_plot(
    name: str,
    series: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    *,
    title: str,
    xlabel: str,
    ylabel: str,
    loglog: bool = False,
) -> Path:
    """One PNG with a line per series; returns its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    for label, (xs, ys) in series.items():
        axes.plot(list(xs), list(ys), marker="o", label=label)
    if loglog:
        axes.set_xscale("log")
        axes.set_yscale("log")
    axes.set_title(title)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.grid(True, alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path = _path(name)
    figure.savefig(path)
    plt.close(figure)
    return path


def bar_plot(name: str, values: Mapping[str, float], *, title: str, ylabel: str) -> Path:
    """One PNG with a bar per value; returns its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(6.4, 4.0), dpi=100)
    axes.bar(list(values), list(values.values()))
    axes.set_title(title)
    axes.set_ylabel(ylabel)
    axes.tick_params(axis="x", labelrotation=20)
    figure.tight_layout()
    path = _path(name)
    figure.savefig(path)
    plt.close(figure)
    return path
