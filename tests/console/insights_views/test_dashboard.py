"""The dashboard shows exactly the figures of a scripted set of conversations (3 on Telegram and 2
on Zalo over two days, four handoffs), on SQLite and PostgreSQL; the filters change them as they
should; each table's CSV file holds the same numbers; only admins and reviewers see it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine

from console.insights import rollup
from console.insights.queries import Filters, dashboard
from tests.console.insights_views.conftest import DAY1, DAY2, MakeClient, log_in, scripted
from tests.console.insights_views.html_tables import figures_of, tables_of

RANGE = {"from": "2026-11-20", "to": "2026-11-21"}


async def page(make_client: MakeClient, engine: Engine, **query: str) -> str:
    scripted(engine)
    client = await make_client()
    await log_in(client)
    response = await client.get("/insights", params=query)
    assert response.status == 200
    return await response.text()


async def test_the_dashboard_shows_the_scripted_figures(make_client: MakeClient, engine: Engine) -> None:
    html = await page(make_client, engine, **RANGE)
    assert figures_of(html) == {
        "conversations": "5", "messages": "13", "handoffs": "3", "ratings": "3", "rating-mean": "3,7",
        "rating-skipped": "1",
    }  # fmt: skip
    tables = tables_of(html)
    assert tables["per-day"] == [
        ["20/11/2026", "Telegram", "2", "5"],
        ["20/11/2026", "Zalo", "1", "1"],
        ["21/11/2026", "Telegram", "1", "3"],
        ["21/11/2026", "Zalo", "2", "4"],
    ]
    assert tables["outcomes"] == [
        ["Đã trả lời", "4", "30,8"],
        ["Hỏi lại cho rõ", "1", "7,7"],
        ["Không hiểu", "2", "15,4"],  # not understood and fallback together
        ["Ngoài phạm vi", "1", "7,7"],
        ["Không có thủ tục", "1", "7,7"],
        ["Khác", "4", "30,8"],  # dossier lookups, the handoff, small talk
    ]
    assert tables["procedures"] == [
        ["Đăng ký khai sinh", "khai-sinh", "Giấy tờ", "2"],
        ["Đăng ký khai sinh", "khai-sinh", "Lệ phí", "1"],
        ["Cấp thẻ căn cước cho người từ đủ 14 tuổi", "can-cuoc", "Giấy tờ", "1"],
        ["Cấp hộ chiếu phổ thông (trong nước)", "ho-chieu", "Chưa rõ khía cạnh", "1"],
    ]
    assert tables["dossier"] == [["Tìm thấy", "1", "50,0"], ["Không tìm thấy", "1", "50,0"]]
    assert tables["handoffs"] == [
        ["Yêu cầu gặp người hỗ trợ", "3"],
        ["Tỉ lệ trên số hội thoại (%)", "60,0"],
        ["Đã có người nhận", "2"],
        ["Thời gian chờ đến khi được nhận, trung vị p50 (giây)", "30,0"],
        ["Thời gian chờ đến khi được nhận, p95 (giây)", "90,0"],
    ]
    assert sorted(tables["handoff-outcomes"]) == [
        ["Bị lỡ (không ai nhận)", "1", "33,3"],
        ["Chuyển tới quầy", "1", "33,3"],
        ["Đã giải đáp", "1", "33,3"],
    ]
    assert "Dữ liệu được giữ 180 ngày" in html
    assert "Người dân chấm từ 1 đến 5 sao" in html


async def test_the_charts_are_svg_with_titles_and_no_inline_style(make_client: MakeClient, engine: Engine) -> None:
    html = await page(make_client, engine, **RANGE)
    assert html.count('<svg class="chart"') == 7  # with the ratings' distribution
    assert '<title id="chart-conversations-t">Số hội thoại mỗi ngày, theo kênh</title>' in html
    assert 'aria-labelledby="chart-outcomes-t"' in html
    assert "<title>20/11 · Telegram: 2</title>" in html  # the conversations bar of the first day
    assert " style=" not in html and "<script>" not in html


async def test_a_channel_filter(make_client: MakeClient, engine: Engine) -> None:
    html = await page(make_client, engine, **RANGE, channel="zalo")
    assert figures_of(html) == {
        "conversations": "2", "messages": "5", "handoffs": "1", "ratings": "1", "rating-mean": "4,0",
        "rating-skipped": "0",
    }  # fmt: skip
    tables = tables_of(html)
    assert tables["per-day"] == [["20/11/2026", "Zalo", "1", "1"], ["21/11/2026", "Zalo", "2", "4"]]
    assert tables["handoffs"][:4] == [
        ["Yêu cầu gặp người hỗ trợ", "1"],
        ["Tỉ lệ trên số hội thoại (%)", "50,0"],
        ["Đã có người nhận", "1"],
        ["Thời gian chờ đến khi được nhận, trung vị p50 (giây)", "30,0"],
    ]
    assert tables["dossier"] == [["Không tìm thấy", "1", "100,0"]]
    assert '<option value="zalo" selected>Zalo</option>' in html


async def test_a_date_filter(make_client: MakeClient, engine: Engine) -> None:
    html = await page(make_client, engine, **{"from": "2026-11-21", "to": "2026-11-21"})
    assert figures_of(html) == {
        "conversations": "3", "messages": "7", "handoffs": "2", "ratings": "1", "rating-mean": "4,0",
        "rating-skipped": "1",
    }  # fmt: skip
    assert tables_of(html)["per-day"] == [["21/11/2026", "Telegram", "1", "3"], ["21/11/2026", "Zalo", "2", "4"]]


async def test_the_default_range_is_the_last_30_days(make_client: MakeClient, engine: Engine) -> None:
    html = await page(make_client, engine)
    assert 'value="2026-10-24"' in html and 'value="2026-11-22"' in html  # today is 22/11/2026
    assert figures_of(html)["conversations"] == "6"  # with the web conversation of 19/11


async def test_bad_filters_say_so_in_vietnamese(make_client: MakeClient, engine: Engine) -> None:
    html = await page(make_client, engine, **{"from": "20/11/2026", "to": "2026-11-21", "channel": "fax"})
    assert "Ngày “20/11/2026” không hợp lệ" in html
    assert "Kênh “fax” không có trong dữ liệu" in html
    assert 'value="2026-10-23"' in html  # the default start: 30 days up to the end
    client = await make_client()
    await log_in(client)
    html = await (await client.get("/insights", params={"from": "2024-01-01", "to": "2026-11-21"})).text()
    assert "Khoảng thời gian dài nhất là 366 ngày" in html and 'value="2025-11-21"' in html
    html = await (await client.get("/insights", params={"from": "2026-11-21", "to": "2026-11-01"})).text()
    assert "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc." in html


async def test_each_table_as_csv(make_client: MakeClient, engine: Engine) -> None:
    scripted(engine)
    client = await make_client()
    await log_in(client)
    response = await client.get("/insights/outcomes.csv", params={**RANGE, "channel": "telegram"})
    assert response.status == 200 and response.content_type == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="insights-outcomes-2026-11-20_2026-11-21-telegram.csv"'
    )
    body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads the Vietnamese as UTF-8
    assert body.decode("utf-8-sig").splitlines() == [
        "Kết quả,Tin nhắn,Tỉ lệ (%)",
        "Đã trả lời,3,37.5",
        "Hỏi lại cho rõ,1,12.5",
        "Không hiểu,2,25.0",
        "Ngoài phạm vi,1,12.5",
        "Không có thủ tục,0,0.0",
        "Khác,1,12.5",
    ]
    per_day = (await (await client.get("/insights/per-day.csv", params=RANGE)).read()).decode("utf-8-sig")
    assert per_day.splitlines()[:2] == ["Ngày,Kênh,Hội thoại,Tin nhắn", "2026-11-20,Telegram,2,5"]
    assert (await client.get("/insights/nothing.csv", params=RANGE)).status == 404


async def test_only_admins_and_reviewers(make_client: MakeClient, engine: Engine) -> None:
    client = await make_client()
    assert (await client.get("/insights", allow_redirects=False)).status == 303  # to the login
    await log_in(client, "lan")  # a helper
    assert (await client.get("/insights")).status == 403
    assert (await client.get("/insights/per-day.csv")).status == 403
    reviewer = await make_client()
    await log_in(reviewer, "duyet")
    assert (await reviewer.get("/insights")).status == 200


def test_the_roll_ups_rebuilt_from_the_turns_give_the_same_figures(engine: Engine) -> None:
    scripted(engine)
    filters = Filters(DAY1, DAY2)
    with engine.connect() as connection:
        before = dashboard(connection, filters)
    with engine.begin() as connection:
        rollup.rebuild(connection)
    with engine.connect() as connection:
        assert dashboard(connection, filters) == before
    with engine.begin() as connection:
        rollup.forget_before(connection, DAY2)
    with engine.connect() as connection:
        after = dashboard(connection, filters)
    assert after.conversations == 3 and [r.day for r in after.per_day] == [DAY2, DAY2]
    assert dt.date(2026, 11, 21) == DAY2
