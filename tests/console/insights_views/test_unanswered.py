"""The unanswered questions: grouped by their normalised text, merged when the same words come in
another order or with one word more, counted with first and last seen, paginated, exported without
formulas; and the two buttons that make an NLU example draft or an alias draft through the real KB
review service (on a copy of the KB)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import List

import pytest
from sqlalchemy.engine import Engine

from console.insights.queries import Filters
from console.insights.unanswered import Variant, merge, unanswered
from console.kb_review.service import KbReview
from tests.console.insights_views.conftest import DAY1, DAY2, MakeClient, add_turns, at, csrf, log_in, turn
from tests.console.kb_review.conftest import copy_kb

RANGE = {"from": "2026-11-20", "to": "2026-11-21"}


def questions(engine: Engine) -> None:
    add_turns(
        engine,
        [
            turn(at(DAY1, 9), "telegram", "a", "no_procedure", "Làm giấy phép nuôi mèo ở đâu?"),
            turn(at(DAY1, 10), "telegram", "b", "no_procedure", "làm giấy phép nuôi mèo ở đâu"),
            turn(at(DAY2, 9), "zalo", "c", "no_procedure", "ở đâu làm giấy phép nuôi mèo"),  # another order
            turn(at(DAY2, 11, 15), "telegram", "d", "fallback", "làm giấy phép nuôi mèo ở đâu ạ"),  # one word more
            turn(at(DAY2, 12), "telegram", "e", "answered", "làm giấy phép nuôi mèo ở đâu"),  # answered: not here
            turn(at(DAY1, 8), "telegram", "f", "out_of_scope", "phí làm hộ chiếu xanh"),
            turn(at(DAY1, 8, 5), "telegram", "g", "out_of_scope", "phí làm hộ khẩu xanh"),  # another word: apart
            turn(at(DAY1, 7), "web", "h", "not_understood", "xin chào"),
            turn(at(DAY1, 7, 1), "web", "h", "not_understood", "chào xin"),
            turn(at(DAY1, 6), "web", "i", "out_of_scope", "thời tiết"),
            turn(at(DAY1, 6, 1), "web", "i", "out_of_scope", "thời tiết ạ"),  # the shorter has < 4 words: apart
            turn(at(DAY1, 5), "web", "j", "out_of_scope", "=HYPERLINK(1) gọi 09******78"),
        ],
    )


def rows_of(html: str) -> List[List[str]]:
    found = []
    for row in re.findall(r'<tr data-group="[^"]*">(.*?)</tr>', html, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        found.append([" ".join(re.sub(r"<[^>]+>", " ", cell).split()).replace(" ,", ",") for cell in cells[:5]])
    return found


async def test_groups_merged_counted_and_dated(make_client: MakeClient, engine: Engine) -> None:
    questions(engine)
    client = await make_client()
    await log_in(client, "duyet")
    html = await (await client.get("/insights/unanswered", params=RANGE)).text()
    assert "7 nhóm câu hỏi" in html
    rows = rows_of(html)
    assert rows[0] == [
        "Làm giấy phép nuôi mèo ở đâu? 3 cách hỏi Làm giấy phép nuôi mèo ở đâu? (2) ở đâu làm giấy phép nuôi mèo (1) "
        "làm giấy phép nuôi mèo ở đâu ạ (1)",
        "4",
        "20/11/2026 09:00",
        "21/11/2026 11:15",
        "Không có thủ tục: 3, Không chắc chắn (fallback): 1",
    ]
    assert rows[1][:2] == ["xin chào 2 cách hỏi xin chào (1) chào xin (1)", "2"]
    singles = sorted(row[0] for row in rows[2:])
    assert singles == [
        "=HYPERLINK(1) gọi 09******78",
        "phí làm hộ chiếu xanh",
        "phí làm hộ khẩu xanh",
        "thời tiết",
        "thời tiết ạ",
    ]
    assert all(row[1] == "1" for row in rows[2:])

    zalo = rows_of(await (await client.get("/insights/unanswered", params={**RANGE, "channel": "zalo"})).text())
    assert zalo == [
        ["ở đâu làm giấy phép nuôi mèo", "1", "21/11/2026 09:00", "21/11/2026 09:00", "Không có thủ tục: 1"]
    ]


def test_pages_of_groups(engine: Engine) -> None:
    questions(engine)
    with engine.connect() as connection:
        first = unanswered(connection, Filters(DAY1, DAY2), page=1, per_page=3)
        last = unanswered(connection, Filters(DAY1, DAY2), page=3, per_page=3)
        beyond = unanswered(connection, Filters(DAY1, DAY2), page=99, per_page=3)
    assert (first.total, first.pages, [g.count for g in first.groups]) == (7, 3, [4, 2, 1])
    assert (last.page, len(last.groups)) == (3, 1) and beyond.page == 3


def test_the_cheap_similarity_rules() -> None:
    when = dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc)

    def variant(key: str, count: int = 1) -> Variant:
        return Variant(key, key, count, when, when, (("no_procedure", count),))

    groups = merge(
        [
            variant("lam ho chieu o dau", 5),
            variant("o dau lam ho chieu", 2),  # word order
            variant("lam ho chieu o dau vay", 1),  # one word more, the shorter has 5 words
            variant("lam can cuoc o dau", 3),  # two words differ
            variant("phi ho chieu la bao", 1),
            variant("phi ho khau la bao", 1),  # one word differs: another procedure
            variant("ho chieu", 1),
            variant("ho chieu a", 1),  # the shorter has 2 words
        ]
    )
    assert [(g.key, g.count, len(g.variants)) for g in groups] == [
        ("lam ho chieu o dau", 8, 3),
        ("lam can cuoc o dau", 3, 1),
        ("ho chieu", 1, 1),
        ("ho chieu a", 1, 1),
        ("phi ho chieu la bao", 1, 1),
        ("phi ho khau la bao", 1, 1),
    ]


async def test_the_csv_has_every_group_and_no_formula(make_client: MakeClient, engine: Engine) -> None:
    questions(engine)
    client = await make_client()
    await log_in(client)
    body = await (await client.get("/insights/unanswered.csv", params=RANGE)).read()
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0] == "Câu hỏi (đã che số),Số lần,Lần đầu,Lần cuối,Kết quả,Cách hỏi tương tự"
    assert lines[1] == (
        "Làm giấy phép nuôi mèo ở đâu?,4,2026-11-20 09:00,2026-11-21 11:15,"
        "Không có thủ tục: 3; Không chắc chắn (fallback): 1,"
        "ở đâu làm giấy phép nuôi mèo | làm giấy phép nuôi mèo ở đâu ạ"
    )
    assert "'=HYPERLINK(1) gọi 09******78,1,2026-11-20 05:00" in body.decode("utf-8-sig")
    assert len(lines) == 8


@pytest.fixture
def review(engine: Engine, tmp_path: Path) -> KbReview:
    return KbReview(engine, copy_kb(tmp_path), nlu_file=tmp_path / "intents" / "reviewed.yml")


async def test_an_nlu_example_draft_in_one_click(make_client: MakeClient, engine: Engine, review: KbReview) -> None:
    questions(engine)
    client = await make_client(review=review)
    await log_in(client)
    html = await (await client.get("/insights/unanswered", params=RANGE)).text()
    assert '<option value="ask_where">ask_where</option>' in html and "Tạo mẫu câu NLU" in html
    form = {"csrf": await csrf(client), "intent": "ask_where", "text": "Làm giấy phép nuôi mèo ở đâu?", "count": "4"}
    response = await client.post("/insights/unanswered/nlu-draft", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    draft_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert response.headers["Location"] == f"/kb/drafts/{draft_id}"
    draft = review.get(draft_id)
    assert (draft.kind, draft.state, draft.author_name) == ("nlu_example", "waiting", "quantri")
    assert draft.data["intent"] == "ask_where" and draft.note == "Từ câu hỏi chưa trả lời được (4 lần)"
    bad = await client.post("/insights/unanswered/nlu-draft", data={**form, "intent": "hack"}, allow_redirects=False)
    assert bad.status == 400 and "Hãy chọn một ý định" in await bad.text()


async def test_an_alias_draft_from_the_search_suggestions(
    make_client: MakeClient, engine: Engine, review: KbReview
) -> None:
    questions(engine)
    client = await make_client(review=review)
    await log_in(client, "duyet")
    html = await (
        await client.get(
            "/insights/unanswered", params={**RANGE, "alias": "giấy chào đời", "q": "khai sinh", "count": "3"}
        )
    ).text()
    assert 'name="procedure_id" value="khai-sinh" checked' in html
    live = review.live("khai-sinh")
    assert live is not None
    form = {"csrf": await csrf(client), "procedure_id": "khai-sinh", "alias": "giấy chào đời", "count": "3"}
    response = await client.post("/insights/unanswered/alias-draft", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    draft = review.get(int(response.headers["Location"].rsplit("/", 1)[1]))
    assert (draft.kind, draft.procedure_id, draft.base_sha256) == ("edit", "khai-sinh", live.sha256)
    assert draft.data["aliases"] == [*live.data["aliases"], "giấy chào đời"]
    assert draft.note == "Tên gọi khác từ câu hỏi chưa trả lời được (3 lần)"
    assert review.live("khai-sinh") == live  # the live KB is untouched until a review

    again = await client.post(
        "/insights/unanswered/alias-draft", data={**form, "alias": "Khai Sinh"}, allow_redirects=False
    )
    assert again.status == 400 and "đã có tên gọi này" in await again.text()
    unknown = await client.post(
        "/insights/unanswered/alias-draft", data={**form, "procedure_id": "khong-co"}, allow_redirects=False
    )
    assert unknown.status == 400 and "Không tìm thấy thủ tục đã chọn." in await unknown.text()


async def test_a_helper_cannot_make_drafts(make_client: MakeClient, engine: Engine, review: KbReview) -> None:
    client = await make_client(review=review)
    await log_in(client, "lan")
    token = await csrf(client, "/")
    for path in ("/insights/unanswered/nlu-draft", "/insights/unanswered/alias-draft"):
        response = await client.post(
            path, data={"csrf": token, "intent": "ask_fee", "text": "x"}, allow_redirects=False
        )
        assert response.status == 403
    assert review.drafts() == []
