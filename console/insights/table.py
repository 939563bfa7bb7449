"""A table of the dashboard (console.insights.report, console.insights.rating_report): raw cells
(dates, ints, floats, texts) that the template formats for reading (22/11/2026, 1.234, 33,3) and
`csv_export` writes as they are, with its charts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Tuple

from markupsafe import Markup

from console import messages as console_msg
from console.insights.csv_export import Cell


@dataclass(frozen=True)
class Table:
    name: str  # in the CSV's address: /insights/<name>.csv
    title: str
    header: Tuple[str, ...]
    rows: Tuple[Tuple[Cell, ...], ...]
    charts: Tuple[Markup, ...] = field(default=())
    group: str = "activity"  # the part of the page: "activity", or "satisfaction" (the ratings)


def channel_label(channel: str) -> str:
    return console_msg.CHANNEL_LABELS.get(channel, channel)
