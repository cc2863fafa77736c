"""What the report's SVG charts drew, read back from the page: each series' marker heights (lines)
or bar heights (stacked bars), to compare with the numbers the chart was given."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def chart_svgs(page: str) -> dict[str, ET.Element]:
    """Chart id -> its `<svg>` element, from the page's `<div class="chart" id=...>` cells."""
    cells = re.finditer(r'<div class="chart" id="([^"]+)"[^>]*>(<svg.*?</svg>)</div>', page, re.S)
    return {cell.group(1): ET.fromstring(cell.group(2)) for cell in cells}


def group(svg: ET.Element, gid: str) -> ET.Element | None:
    return next((g for g in svg.iter(f"{SVG}g") if g.get("id") == gid), None)


def marker_heights(svg: ET.Element, gid: str) -> list[float]:
    """The y of each marker of a line series, in drawing order (SVG y grows downwards)."""
    line = group(svg, gid)
    assert line is not None, gid
    return [float(str(use.get("y"))) for use in line.iter(f"{SVG}use")]


def bar_heights(svg: ET.Element, gid: str, count: int) -> list[float]:
    """The height of each bar `<gid>-bar-<k>` of a bar series."""
    heights = []
    for k in range(count):
        bar = group(svg, f"{gid}-bar-{k}")
        assert bar is not None, f"{gid}-bar-{k}"
        path = bar.find(f"{SVG}path")
        assert path is not None
        ys = [float(y) for y in re.findall(r"[-\d.]+ ([-\d.]+)", str(path.get("d")))]
        heights.append(max(ys) - min(ys))
    return heights


def is_affine_image(drawn: list[float], values: list[float], *, slope_sign: int) -> bool:
    """Whether `drawn` = a + b * `values` for one b of the given sign (to rounding)."""
    if len(drawn) != len(values):
        return False
    if len(values) < 2 or max(values) == min(values):
        return max(drawn, default=0) - min(drawn, default=0) < 1e-3
    hi, lo = values.index(max(values)), values.index(min(values))
    slope = (drawn[hi] - drawn[lo]) / (values[hi] - values[lo])
    offset = drawn[lo] - slope * values[lo]
    pairs = zip(drawn, values, strict=True)
    fits = all(math.isclose(d, offset + slope * v, abs_tol=1e-3) for d, v in pairs)
    return fits and slope * slope_sign > 0
