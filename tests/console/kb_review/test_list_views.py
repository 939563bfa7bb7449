"""The KB admins' list and procedure pages through the whole application (every view module, as
`make run` serves it): the badges of a waiting draft and of an urgent publish, the search, who may
see them, and the larger body cap of the edit form for a logged-in admin only."""

from __future__ import annotations

import io
import re
from typing import Any, Callable, Dict

from aiohttp import FormData
from aiohttp.test_utils import TestClient

from tests.console.kb_review.test_service import PASSPORT, edited
from tests.console.kb_review.test_views import logged_in

Make = Callable[[], Any]


def rows(page: str) -> Dict[str, str]:
    """The list's rows by procedure id (each row's HTML)."""
    return dict(re.findall(r'<tr data-procedure="([^"]+)">(.*?)</tr>', page, re.S))


async def test_a_waiting_draft_and_an_urgent_publish_show_as_badges(site: Any) -> None:
    make, review, users, _ = site
    live = review.live(PASSPORT)
    draft = review.save_draft(users["anh"], PASSPORT, edited(review, result="Hộ chiếu mới"), live.sha256, "phí mới")
    client, _ = await logged_in(make, "binh")
    page = await (await client.get("/kb/procedures?show=waiting")).text()
    assert list(rows(page)) == [PASSPORT]
    assert 'data-badge="waiting"' in rows(page)[PASSPORT]
    review.publish_urgent(users["anh"], draft.id, "hạn công bố theo Quyết định 766")
    page = await (await client.get("/kb/procedures?show=unreviewed")).text()
    assert list(rows(page)) == [PASSPORT]
    assert 'data-badge="unreviewed"' in rows(page)[PASSPORT] and 'data-badge="waiting"' not in rows(page)[PASSPORT]
    one = await (await client.get(f"/kb/procedures/{PASSPORT}")).text()
    assert f'href="/kb/drafts/{draft.id}"' in one and "Đã đăng, chưa qua duyệt" in one
    assert f'href="/kb/procedures/{PASSPORT}/edit"' not in one  # a reviewer does not edit


async def test_the_list_searches_like_the_assistant_and_filters(site: Any) -> None:
    make, _, _, _ = site
    client, _ = await logged_in(make, "anh")
    page = await (await client.get("/kb/procedures?q=dk+tam+tru")).text()
    assert next(iter(rows(page))) == "tam-tru"
    imported = await (await client.get("/kb/procedures?show=imported")).text()
    assert set(rows(imported)) == {"tthc-1-000005", "tthc-1-000014"}
    assert 'href="/kb/procedures/new"' in page  # an admin adds procedures
    missing = await client.get("/kb/procedures/khong-co-thu-tuc-nay")
    assert missing.status == 404 and "Không có thủ tục này trong kho." in await missing.text()


async def test_helpers_do_not_see_the_kb_pages(site: Any) -> None:
    make, _, _, _ = site
    client, _ = await logged_in(make, "lan")
    assert (await client.get("/kb/procedures")).status == 403
    assert (await client.get("/kb/procedures/khai-sinh")).status == 403
    home = await (await client.get("/")).text()
    assert "/kb/procedures" not in home


async def test_a_big_form_passes_for_a_logged_in_admin_only(site: Any) -> None:
    make, _, _, _ = site
    big = {"csrf": "x", "title": "a" * (200 * 1024)}
    anonymous: TestClient = await make()
    refused = await anonymous.post("/kb/procedures/khai-sinh/edit", data=big)
    assert refused.status == 413  # the app's 64 KB: an anonymous caller cannot make the server read more
    helper, helper_token = await logged_in(make, "lan")
    too_big = await helper.post("/kb/procedures/khai-sinh/edit", data={**big, "csrf": helper_token})
    assert too_big.status == 413  # nor can a helper, whom these routes do not serve
    client, token = await logged_in(make, "anh")
    response = await client.post("/kb/procedures/khai-sinh/edit", data={**big, "csrf": token, "note": "x"})
    assert response.status == 422  # read whole, then judged by the form's validation
    form = FormData({"csrf": token, "note": "x"})
    form.add_field("file", io.BytesIO(b"b" * (7 * 1024 * 1024)), filename="kho.xlsx")
    upload = await client.post("/kb/import", data=form)
    assert upload.status == 413
