"""The satisfaction section of the dashboard: the scripted ratings (3 scores and a skip in the range,
one before it) as the page and the CSV files show them; comments escaped; the filters apply."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from tests.console.insights_views.conftest import DAY2, MakeClient, add_rating, at, log_in, scripted
from tests.console.insights_views.html_tables import tables_of

RANGE = {"from": "2026-11-20", "to": "2026-11-21"}


async def page(make_client: MakeClient, engine: Engine, **query: str) -> str:
    scripted(engine)
    client = await make_client()
    await log_in(client)
    response = await client.get("/insights", params=query)
    assert response.status == 200
    return await response.text()


async def test_the_ratings_by_score_procedure_channel_and_helper(make_client: MakeClient, engine: Engine) -> None:
    html = await page(make_client, engine, **RANGE)
    tables = tables_of(html)
    assert tables["ratings"] == [
        ["1 sao", "0", "0,0"],
        ["2 sao", "1", "33,3"],
        ["3 sao", "0", "0,0"],
        ["4 sao", "1", "33,3"],
        ["5 sao", "1", "33,3"],
    ]
    assert tables["ratings-summary"] == [
        ["Lượt đánh giá", "3"],
        ["Điểm trung bình (trên 5)", "3,7"],
        ["Lượt bỏ qua", "1"],
    ]
    assert tables["ratings-by-procedure"] == [
        ["Cấp hộ chiếu phổ thông (trong nước)", "ho-chieu", "1", "2,0"],
        ["Đăng ký khai sinh", "khai-sinh", "1", "5,0"],
        ["Chưa rõ thủ tục", "", "1", "4,0"],
    ]
    assert tables["ratings-by-channel"] == [["Telegram", "2", "3,5"], ["Zalo", "1", "4,0"]]
    assert tables["ratings-by-helper"] == [
        ["Không qua người hỗ trợ", "1", "5,0"],
        ["Có người hỗ trợ: Đã giải đáp", "1", "4,0"],
        ["Có người hỗ trợ: Chuyển tới quầy", "1", "2,0"],
    ]
    assert tables["rating-comments"] == [  # the latest first; the one before the range is not there
        ["2026-11-20 10:10", "Telegram", "Cấp hộ chiếu phổ thông (trong nước)", "Có người hỗ trợ: Chuyển tới quầy",
         "2", "Chờ ở quầy lâu, gọi 09******78 không ai nghe"],
        ["2026-11-20 09:05", "Telegram", "Đăng ký khai sinh", "Không qua người hỗ trợ", "5", "Trả lời nhanh, dễ hiểu"],
    ]  # fmt: skip
    assert '<title id="chart-ratings-t">Số lượt đánh giá theo số sao</title>' in html
    assert "<title>2 sao · Lượt đánh giá: 1</title>" in html


async def test_a_channel_and_no_ratings(make_client: MakeClient, engine: Engine) -> None:
    tables = tables_of(await page(make_client, engine, **RANGE, channel="zalo"))
    assert tables["ratings-by-channel"] == [["Zalo", "1", "4,0"]]
    assert tables["rating-comments"] == []
    client = await make_client()
    await log_in(client)
    html = await (await client.get("/insights", params={"from": "2026-11-01", "to": "2026-11-02"})).text()
    assert tables_of(html)["ratings"] == [] and tables_of(html)["ratings-summary"][0] == ["Lượt đánh giá", "0"]
    assert "Không có dữ liệu trong khoảng thời gian này" in html


async def test_the_rating_tables_as_csv(make_client: MakeClient, engine: Engine) -> None:
    scripted(engine)
    client = await make_client()
    await log_in(client)
    response = await client.get("/insights/rating-comments.csv", params=RANGE)
    assert response.status == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="insights-rating-comments-2026-11-20_2026-11-21.csv"'
    )
    lines = (await response.read()).decode("utf-8-sig").splitlines()
    assert lines[0] == "Thời gian,Kênh,Thủ tục,Người hỗ trợ,Số sao,Góp ý (đã che số)"
    assert lines[1] == (
        "2026-11-20 10:10,Telegram,Cấp hộ chiếu phổ thông (trong nước),Có người hỗ trợ: Chuyển tới quầy,2,"
        '"Chờ ở quầy lâu, gọi 09******78 không ai nghe"'
    )  # quoted: it has a comma
    by_channel = (await (await client.get("/insights/ratings-by-channel.csv", params=RANGE)).read()).decode("utf-8-sig")
    assert by_channel.splitlines() == ["Kênh,Lượt,Điểm trung bình (trên 5)", "Telegram,2,3.5", "Zalo,1,4.0"]
    add_rating(engine, at(DAY2, 11), "web", "w1", 3, '=HYPERLINK("http://x")')  # a spreadsheet must not run it
    body = (await (await client.get("/insights/rating-comments.csv", params=RANGE)).read()).decode("utf-8-sig")
    assert body.splitlines()[1].endswith('"\'=HYPERLINK(""http://x"")"')


async def test_a_comment_is_shown_as_text_never_as_markup(make_client: MakeClient, engine: Engine) -> None:
    add_rating(engine, at(DAY2, 10), "web", "w2", 1, '<script>alert(1)</script><img src=x onerror="alert(2)">')
    client = await make_client()
    await log_in(client)
    html = await (await client.get("/insights", params=RANGE)).text()
    assert tables_of(html)["rating-comments"][0][-1] == '<script>alert(1)</script><img src=x onerror="alert(2)">'
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=" in html
    assert "<script>alert" not in html and "<img src=x" not in html
