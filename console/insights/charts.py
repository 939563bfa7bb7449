"""Server-rendered SVG charts for the insights dashboard: bars, stacked bars, lines.

No chart library and no script: the console's CSP is `default-src 'self'`, which also blocks SVG
`style=` attributes, so colours come from CSS classes (`chart-s0` … `chart-s7`, console/static/
insights.css) and from nothing inline. Each chart is an `<svg role="img">` with a `<title>` and an
`aria-labelledby`, its axes labelled; the page puts the same numbers in a table under it (a screen
reader and a printer read the table, the chart is for the eye).

Every text that reaches the SVG is escaped here; the result is `Markup` for the templates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Sequence

from markupsafe import Markup, escape

WIDTH = 720
HEIGHT = 260
LEFT = 56  # room for the value axis' labels
RIGHT = 12
TOP = 16
BOTTOM = 64  # room for the category labels (turned when many)
COLOURS = 8  # CSS classes chart-s0 … chart-s7
MAX_LABEL = 18  # characters of a category label (the table holds it whole)


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category."""

    name: str
    values: Sequence[float]


def nice_ticks(top: float, count: int = 5) -> List[float]:
    """Round tick values from 0 up to at least `top` (1, 2 or 5 times a power of ten apart)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    if step < 1 and top >= 1:
        step = 1
    ticks = [0.0]
    while ticks[-1] < top:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _fmt(value: float) -> str:
    return f"{int(value):,}".replace(",", ".") if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _frame(
    chart_id: str, title: str, ticks: List[float], body: List[str], labels: Sequence[str], y_label: str
) -> Markup:
    plot_h = HEIGHT - TOP - BOTTOM
    top = ticks[-1] or 1.0
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart_id}-t"'
        f' xmlns="http://www.w3.org/2000/svg" data-chart="{chart_id}">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
    ]
    for tick in ticks:
        y = TOP + plot_h - plot_h * tick / top
        parts.append(f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="chart-tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_fmt(tick)}</text>')
    parts.append(
        f'<text class="chart-axis-label" x="12" y="{TOP + plot_h / 2:.1f}" text-anchor="middle"'
        f' transform="rotate(-90 12 {TOP + plot_h / 2:.1f})">{escape(y_label)}</text>'
    )
    parts.extend(body)
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    every = max(1, math.ceil(len(labels) / 16))  # at most ~16 category labels under the axis
    turned = len(labels) > 8
    for index, label in enumerate(labels):
        if index % every:
            continue
        x = LEFT + slot * (index + 0.5)
        y = TOP + plot_h + 14
        if turned:
            parts.append(
                f'<text class="chart-tick" x="{x:.1f}" y="{y:.1f}" text-anchor="end"'
                f' transform="rotate(-40 {x:.1f} {y:.1f})">{escape(_short(label))}</text>'
            )
        else:
            parts.append(
                f'<text class="chart-tick" x="{x:.1f}" y="{y:.1f}" text-anchor="middle">{escape(_short(label))}</text>'
            )
    parts.append(f'<line class="chart-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text above is escaped)


def _legend(series: Sequence[Series]) -> str:
    if len(series) < 2:
        return ""
    items = "".join(
        f'<li><span class="chart-key chart-s{i % COLOURS}"></span>{escape(s.name)}</li>' for i, s in enumerate(series)
    )
    return f'<ul class="chart-legend">{items}</ul>'


def _empty(chart_id: str, title: str, empty_text: str) -> Markup:
    return Markup(  # noqa: S704  (escaped)
        f'<svg class="chart chart-empty" viewBox="0 0 {WIDTH} 60" role="img" aria-labelledby="{chart_id}-t"'
        f' xmlns="http://www.w3.org/2000/svg" data-chart="{chart_id}"><title id="{chart_id}-t">{escape(title)}</title>'
        f'<text class="chart-tick" x="{WIDTH / 2}" y="34" text-anchor="middle">{escape(empty_text)}</text></svg>'
    )


def stacked_bar_chart(
    chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], *, y_label: str, empty_text: str
) -> Markup:
    """Bars per category, each split by series (one series: plain bars); a legend when several."""
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    if not labels or not any(totals):
        return _empty(chart_id, title, empty_text)
    ticks = nice_ticks(max(totals))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(labels)
    bar_w = max(2.0, slot * 0.7)
    body: List[str] = []
    for index, label in enumerate(labels):
        base = 0.0
        x = LEFT + slot * index + (slot - bar_w) / 2
        for number, one in enumerate(series):
            value = one.values[index]
            if not value:
                continue
            height = plot_h * value / ticks[-1]
            y = TOP + plot_h - plot_h * base / ticks[-1] - height
            body.append(
                f'<rect class="chart-bar chart-s{number % COLOURS}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}"'
                f' height="{height:.1f}"><title>{escape(label)} · {escape(one.name)}: {_fmt(value)}</title></rect>'
            )
            base += value
    return Markup(_frame(chart_id, title, ticks, body, labels, y_label) + Markup(_legend(series)))  # noqa: S704


def bar_chart(
    chart_id: str, title: str, labels: Sequence[str], values: Sequence[float], *, y_label: str, empty_text: str
) -> Markup:
    """One bar per category."""
    return stacked_bar_chart(chart_id, title, labels, [Series(y_label, values)], y_label=y_label, empty_text=empty_text)


def line_chart(
    chart_id: str, title: str, labels: Sequence[str], series: Sequence[Series], *, y_label: str, empty_text: str
) -> Markup:
    """One line per series over the categories (days), with a dot per value."""
    values = [v for s in series for v in s.values]
    if not labels or not any(values):
        return _empty(chart_id, title, empty_text)
    ticks = nice_ticks(max(values))
    plot_h = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(labels)
    body: List[str] = []
    for number, one in enumerate(series):
        points = [
            (LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * value / ticks[-1]) for i, value in enumerate(one.values)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="chart-line chart-s{number % COLOURS}" points="{path}"/>')
        for (x, y), label, value in zip(points, labels, one.values, strict=True):
            body.append(
                f'<circle class="chart-dot chart-s{number % COLOURS}" cx="{x:.1f}" cy="{y:.1f}" r="3">'
                f"<title>{escape(label)} · {escape(one.name)}: {_fmt(value)}</title></circle>"
            )
    return Markup(_frame(chart_id, title, ticks, body, labels, y_label) + Markup(_legend(series)))  # noqa: S704
