"""The satisfaction ratings' tables of the dashboard (console.insights.report's `Table`, in the group
"satisfaction"): the distribution 1-5 with its chart, the summary, by procedure, by channel, by
helper outcome, and the latest comments. The page and the CSV files show the same cells."""

from __future__ import annotations

import datetime as dt
from typing import Callable, List, Optional, Sequence, Tuple

from console import messages as console_msg
from console.insights import labels
from console.insights.charts import bar_chart
from console.insights.csv_export import Cell
from console.insights.rating_queries import RatingSummary, ScoreGroup
from console.insights.table import Table, channel_label
from motcua.settings import VIETNAM

GROUP = "satisfaction"
Titles = Callable[[str], str]


def _percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def helper_label(outcome: Optional[str]) -> str:
    if not outcome:
        return labels.NO_HELPER
    return labels.WITH_HELPER.format(outcome=console_msg.OUTCOME_LABELS.get(outcome, outcome))


def procedure_label(procedure_id: Optional[str], titles: Titles) -> str:
    return titles(procedure_id) if procedure_id else labels.NO_PROCEDURE


def _group_rows(groups: Sequence[ScoreGroup], name: Callable[[Optional[str]], str]) -> Tuple[Tuple[Cell, ...], ...]:
    return tuple((name(g.key), g.count, g.mean) for g in groups)


def _when(value: dt.datetime) -> str:
    return value.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M")


def rating_tables(summary: RatingSummary, titles: Titles) -> List[Table]:
    """The tables, in page order."""
    table = Table
    title = labels.TABLE_TITLES
    star_labels = [labels.STARS.format(score=s) for s, _ in summary.distribution]
    chart = bar_chart(
        "chart-ratings", title["ratings"], star_labels, [n for _, n in summary.distribution],
        y_label="Lượt đánh giá", empty_text=labels.NO_DATA,
    )  # fmt: skip
    distribution = tuple((labels.STARS.format(score=s), n, _percent(n, summary.count)) for s, n in summary.distribution)
    by_procedure = tuple((procedure_label(g.key, titles), g.key or "", g.count, g.mean) for g in summary.by_procedure)
    comments = tuple(
        (_when(c.at), channel_label(c.channel), procedure_label(c.procedure_id, titles), helper_label(c.helper_outcome),
         c.score, c.text)
        for c in summary.comments
    )  # fmt: skip
    mean_header = "Điểm trung bình (trên 5)"
    return [
        table("ratings", title["ratings"], ("Số sao", "Lượt", "Tỉ lệ (%)"),
              distribution if summary.count else (), (chart,), group=GROUP),
        table("ratings-summary", title["ratings-summary"], ("Chỉ số", "Giá trị"),
              (("Lượt đánh giá", summary.count), (mean_header, summary.mean), ("Lượt bỏ qua", summary.skipped)),
              group=GROUP),
        table("ratings-by-procedure", title["ratings-by-procedure"], ("Thủ tục", "Mã trong kho", "Lượt", mean_header),
              by_procedure, group=GROUP),
        table("ratings-by-channel", title["ratings-by-channel"], ("Kênh", "Lượt", mean_header),
              _group_rows(summary.by_channel, lambda c: channel_label(c or "")), group=GROUP),
        table("ratings-by-helper", title["ratings-by-helper"], ("Người hỗ trợ", "Lượt", mean_header),
              _group_rows(summary.by_helper, helper_label), group=GROUP),
        table("rating-comments", title["rating-comments"],
              ("Thời gian", "Kênh", "Thủ tục", "Người hỗ trợ", "Số sao", "Góp ý (đã che số)"), comments, group=GROUP),
    ]  # fmt: skip
