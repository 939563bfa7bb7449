"""The draft pages through the real application: the diff rows and the answers preview are there,
the author gets no approve button and a refused POST, a reviewer publishes, history and rollback."""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from typing import Any, AsyncIterator, Callable, Dict, Tuple

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlalchemy.engine import Engine

from console.accounts import Accounts, User
from console.kb_review import messages as kbmsg
from console.kb_review.service import KbReview
from console.settings import load_console_settings
from console.web import kb_review_views
from console.web.app import make_app
from tests.console.kb_review.conftest import PASSWORD, copy_kb, make_users
from tests.console.kb_review.test_service import PASSPORT, edited
from tests.console.kb_review.test_xlsx_and_nlu import changed_sheet

Make = Callable[[], Any]


@pytest.fixture
async def site(
    engine: Engine, tmp_path: Path, aiohttp_client: Any
) -> AsyncIterator[Tuple[Make, KbReview, Dict[str, User]]]:
    users = make_users(engine)
    review = KbReview(engine, copy_kb(tmp_path), nlu_file=tmp_path / "intents" / "reviewed.yml")
    settings = load_console_settings(
        database_url=str(engine.url), secret="s" * 40, secret_file=tmp_path / "secret", login_rate_per_minute=100
    )
    accounts = Accounts(engine)
    application = make_app(
        settings,
        engine,
        view_modules=(),
        extra_setups=[functools.partial(kb_review_views.setup, review=review)],
        accounts=accounts,
    )
    yield (lambda: aiohttp_client(application)), review, users


async def logged_in(make: Make, name: str) -> Tuple[TestClient, str]:
    client = await make()
    page = await (await client.get("/login")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = await client.post("/login", data={"name": name, "password": PASSWORD, "csrf": token})
    home = await response.text()
    assert response.status == 200, home
    return client, re.search(r'name="csrf" value="([^"]+)"', home).group(1)  # type: ignore[union-attr]


async def test_the_draft_page_shows_the_diff_and_the_preview_and_refuses_the_author(site: Any) -> None:
    make, review, users = site
    data: Dict[str, Any] = edited(review, applicants="Công dân Việt Nam")
    data["channels"][0]["fees"][0]["amount"] = 250000
    draft = review.save_draft(users["dung"], PASSPORT, data, None, "phí mới 2026")

    author, token = await logged_in(make, "dung")
    page = await (await author.get(f"/kb/drafts/{draft.id}")).text()
    assert 'class="kb-row kb-replace"' in page and "250000" in page  # the changed lines, old | new
    assert "channels[0].fees[0].amount" in page  # the list of changed fields
    assert page.count("data-aspect=") == 6 and 'data-aspect="fee"' in page and "250.000" in page
    assert "data-approve" not in page and "nguyên tắc hai người" in page
    refused = await author.post(f"/kb/drafts/{draft.id}/approve", data={"csrf": token})
    assert refused.status == 403 and kbmsg.SELF_REVIEW in await refused.text()
    assert review.get(draft.id).state == "waiting"

    reviewer, reviewer_token = await logged_in(make, "binh")
    page = await (await reviewer.get(f"/kb/drafts/{draft.id}")).text()
    assert "data-approve" in page and "nguyên tắc hai người" not in page
    done = await reviewer.post(f"/kb/drafts/{draft.id}/approve", data={"csrf": reviewer_token, "comment": "ok"})
    assert done.status == 200 and kbmsg.APPROVED in await done.text()
    assert review.live(PASSPORT).data["channels"][0]["fees"][0]["amount"] == 250000

    helper, _ = await logged_in(make, "lan")
    assert (await helper.get(f"/kb/drafts/{draft.id}")).status == 403
    listing = await (await reviewer.get("/kb/drafts")).text()
    assert f"/kb/drafts/{draft.id}" in listing and "Đã đăng" in listing


async def test_history_diff_and_a_rollback_draft(site: Any) -> None:
    make, review, users = site
    review.approve(users["binh"], review.save_draft(users["anh"], PASSPORT, edited(review, result="Mới"), None, "a").id)
    admin, token = await logged_in(make, "anh")
    history = await (await admin.get(f"/kb/procedures/{PASSPORT}/history")).text()
    assert "anh" in history and 'data-rollback="0"' in history and 'data-rollback="1"' not in history
    diff = await (await admin.get(f"/kb/procedures/{PASSPORT}/diff?from=0&to=1")).text()
    assert "kb-replace" in diff or "kb-insert" in diff
    assert (await admin.get(f"/kb/procedures/{PASSPORT}/diff?from=0&to=9")).status == 404
    empty = await admin.post(f"/kb/procedures/{PASSPORT}/rollback", data={"csrf": token, "version": "0", "note": ""})
    assert empty.status == 400
    made = await admin.post(f"/kb/procedures/{PASSPORT}/rollback", data={"csrf": token, "version": "0", "note": "sai"})
    assert made.status == 200 and "Khôi phục" in await made.text()
    [draft] = review.drafts(state="waiting")
    assert draft.kind == "rollback" and draft.rollback_version == 0


async def test_export_and_import_of_a_spreadsheet(site: Any) -> None:
    make, review, _ = site
    admin, token = await logged_in(make, "anh")
    exported = await admin.get("/kb/export.xlsx")
    assert exported.status == 200 and exported.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = changed_sheet(await exported.read(), PASSPORT, "applicants", "Người Việt Nam")
    form = FormData()
    form.add_field("note", "bảng tính")
    form.add_field("file", io.BytesIO(sheet), filename="kho.xlsx")
    headers = {"X-CSRF-Token": token, "Accept": "application/json"}
    answer = await (await admin.post("/kb/import", data=form, headers=headers)).json()
    [draft] = review.drafts(state="waiting")
    assert answer == {"ok": True, "next": f"/kb/drafts/{draft.id}", "count": 1}
    assert draft.data["applicants"] == "Người Việt Nam"

    too_big = FormData()
    too_big.add_field("note", "to")
    too_big.add_field("file", io.BytesIO(b"x" * (5 * 1024 * 1024 + 1)), filename="kho.xlsx")
    refused = await admin.post("/kb/import", data=too_big, headers=headers)
    assert refused.status == 413 and (await refused.json())["error"] == kbmsg.WORKBOOK_TOO_LARGE
    reviewer, reviewer_token = await logged_in(make, "binh")
    assert (
        await reviewer.post("/kb/import", data=FormData({"note": "x"}), headers={"X-CSRF-Token": reviewer_token})
    ).status == 403


async def test_a_conflicting_rebase_shows_each_side_and_urgent_publishing_wants_a_reason(site: Any) -> None:
    make, review, users = site
    first = review.save_draft(users["anh"], PASSPORT, edited(review, applicants="Một"), None, "một")
    second = review.save_draft(users["dung"], PASSPORT, edited(review, applicants="Hai"), None, "hai")
    review.approve(users["binh"], first.id)
    author, token = await logged_in(make, "dung")
    page = await (await author.get(f"/kb/drafts/{second.id}")).text()
    assert kbmsg.NEEDS_REBASE in page and "data-urgent" not in page
    conflict = await author.post(f"/kb/drafts/{second.id}/rebase", data={"csrf": token})
    text = await conflict.text()
    assert conflict.status == 409 and 'class="kb-conflict"' in text and "<code>applicants</code>" in text
    assert "<td>Một</td><td>Hai</td>" in text

    third = review.save_draft(users["dung"], "can-cuoc", edited(review, "can-cuoc", result="Thẻ"), None, "ba")
    no_reason = await author.post(f"/kb/drafts/{third.id}/urgent", data={"csrf": token, "reason": " "})
    assert no_reason.status == 400 and kbmsg.URGENT_REASON_REQUIRED in await no_reason.text()
    urgent = await author.post(f"/kb/drafts/{third.id}/urgent", data={"csrf": token, "reason": "sai"})
    assert urgent.status == 200 and kbmsg.PUBLISHED_URGENT in await urgent.text()
    assert review.get(third.id).state == "published_unreviewed"
