"""The dashboard's tables, each with its chart: one definition for the page and for its CSV file, so
that the numbers a user exports are the numbers they saw.

A `Table` holds raw cells (dates, ints, floats, texts); the template formats them for reading
(22/11/2026, 1.234, 33,3) and `csv_export` writes them as they are.
"""

from __future__ import annotations

import datetime as dt
from typing import Callable, Dict, List, Sequence, Tuple

from markupsafe import Markup

from console import messages as console_msg
from console.insights import labels
from console.insights.charts import Series, bar_chart, line_chart, stacked_bar_chart
from console.insights.csv_export import Cell
from console.insights.queries import Count, Dashboard
from console.insights.rating_report import rating_tables
from console.insights.table import Table, channel_label
from console.insights.unanswered import Group

__all__ = ["Table", "Titles", "channel_label", "dashboard_tables", "unanswered_table"]

Titles = Callable[[str], str]  # a procedure's title from its id


def _count_rows(counts: Sequence[Count], names: Dict[str, str]) -> Tuple[Tuple[Cell, ...], ...]:
    return tuple((names.get(c.key, c.key), c.count, c.percent) for c in counts)


def _bar(name: str, title: str, counts: Sequence[Count], names: Dict[str, str], y_label: str) -> Markup:
    return bar_chart(
        name, title, [names.get(c.key, c.key) for c in counts], [c.count for c in counts],
        y_label=y_label, empty_text=labels.NO_DATA,
    )  # fmt: skip


def per_day_table(board: Dashboard) -> Table:
    days = board.filters.days
    channels = sorted({row.channel for row in board.per_day})
    found = {(row.day, row.channel): row for row in board.per_day}
    day_labels = [day.strftime("%d/%m") for day in days]

    def series(attribute: str) -> List[Series]:
        return [
            Series(channel_label(c), [getattr(found[(d, c)], attribute) if (d, c) in found else 0 for d in days])
            for c in channels
        ]

    title = labels.TABLE_TITLES["per-day"]
    charts = (
        stacked_bar_chart("chart-conversations", "Số hội thoại mỗi ngày, theo kênh", day_labels,
                          series("conversations"), y_label="Hội thoại", empty_text=labels.NO_DATA),
        line_chart("chart-messages", "Số tin nhắn mỗi ngày, theo kênh", day_labels, series("messages"),
                   y_label="Tin nhắn", empty_text=labels.NO_DATA),
    )  # fmt: skip
    rows = tuple((r.day, channel_label(r.channel), r.conversations, r.messages) for r in board.per_day)
    return Table("per-day", title, ("Ngày", "Kênh", "Hội thoại", "Tin nhắn"), rows, charts)


def outcomes_table(board: Dashboard) -> Table:
    title = labels.TABLE_TITLES["outcomes"]
    chart = _bar("chart-outcomes", title, board.shares, labels.SHARE_LABELS, "Tin nhắn")
    return Table(
        "outcomes",
        title,
        ("Kết quả", "Tin nhắn", "Tỉ lệ (%)"),
        _count_rows(board.shares, labels.SHARE_LABELS),
        (chart,),
    )


def procedures_table(board: Dashboard, titles: Titles) -> Table:
    title = labels.TABLE_TITLES["procedures"]
    aspects = sorted(
        {a for p in board.procedures for a, _ in p.aspects},
        key=lambda a: list(labels.ASPECT_LABELS).index(a) if a in labels.ASPECT_LABELS else 99,
    )
    names = [titles(p.procedure_id) for p in board.procedures]
    series = [
        Series(labels.ASPECT_LABELS.get(a, a), [dict(p.aspects).get(a, 0) for p in board.procedures]) for a in aspects
    ]
    chart = stacked_bar_chart("chart-procedures", title, names, series, y_label="Câu hỏi", empty_text=labels.NO_DATA)
    rows = tuple(
        (name, p.procedure_id, labels.ASPECT_LABELS.get(a, a), n)
        for name, p in zip(names, board.procedures, strict=True)
        for a, n in p.aspects
    )
    return Table("procedures", title, ("Thủ tục", "Mã trong kho", "Khía cạnh", "Câu hỏi"), rows, (chart,))


def dossier_table(board: Dashboard) -> Table:
    title = labels.TABLE_TITLES["dossier"]
    chart = _bar("chart-dossier", title, board.dossier, labels.DOSSIER_LABELS, "Lượt tra cứu")
    rows = _count_rows(board.dossier, labels.DOSSIER_LABELS)
    return Table("dossier", title, ("Kết quả tra cứu", "Lượt", "Tỉ lệ (%)"), rows, (chart,))


def handoff_tables(board: Dashboard) -> List[Table]:
    h = board.handoffs
    summary = Table(
        "handoffs",
        labels.TABLE_TITLES["handoffs"],
        ("Chỉ số", "Giá trị"),
        (
            ("Yêu cầu gặp người hỗ trợ", h.requested),
            ("Tỉ lệ trên số hội thoại (%)", h.rate),
            ("Đã có người nhận", h.claimed),
            ("Thời gian chờ đến khi được nhận, trung vị p50 (giây)", h.claim_p50),
            ("Thời gian chờ đến khi được nhận, p95 (giây)", h.claim_p95),
        ),
    )
    names = {**console_msg.OUTCOME_LABELS, **labels.HANDOFF_STATE_LABELS}
    title = labels.TABLE_TITLES["handoff-outcomes"]
    chart = _bar("chart-handoff-outcomes", title, h.outcomes, names, "Yêu cầu")
    outcomes = Table(
        "handoff-outcomes", title, ("Kết quả", "Yêu cầu", "Tỉ lệ (%)"), _count_rows(h.outcomes, names), (chart,)
    )
    return [summary, outcomes]


def dashboard_tables(board: Dashboard, titles: Titles) -> List[Table]:
    """Every table of the dashboard, in page order."""
    return [
        per_day_table(board),
        outcomes_table(board),
        procedures_table(board, titles),
        dossier_table(board),
        *handoff_tables(board),
        *rating_tables(board.ratings, titles),
    ]


def _when(value: dt.datetime) -> str:
    from motcua.settings import VIETNAM

    return value.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M")


def unanswered_table(groups: Sequence[Group]) -> Table:
    """The unanswered groups as one table (the CSV file: every group, not one page)."""
    rows = tuple(
        (
            g.sample,
            g.count,
            _when(g.first_seen),
            _when(g.last_seen),
            "; ".join(f"{labels.UNANSWERED_OUTCOME_LABELS.get(o, o)}: {n}" for o, n in g.outcomes),
            " | ".join(v.sample for v in g.variants[1:]),
        )
        for g in groups
    )
    header = ("Câu hỏi (đã che số)", "Số lần", "Lần đầu", "Lần cuối", "Kết quả", "Cách hỏi tương tự")
    return Table("unanswered", labels.TABLE_TITLES["unanswered"], header, rows)
