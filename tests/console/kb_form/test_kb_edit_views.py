"""The procedure form's pages through the real application and the real review service (on SQLite
and PostgreSQL, over a copy of the KB): who may open them, what a bad value shows and where, and
that a good one becomes a waiting draft while the live file stays as it was."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from console.accounts import Accounts
from console.kb_form.parse import form_pairs
from console.kb_review.service import KbReview
from console.settings import load_console_settings
from console.web import kb_edit_views
from console.web.app import make_app
from console.web.kb_review_views import KB_REVIEW
from procedures_kb.record_files import record_data
from procedures_kb.schema import Procedure

PASSWORD = "mật khẩu dài 2026"
Pairs = List[Tuple[str, str]]


@pytest.fixture
def setup(engine: Engine, kb_dir: Path, tmp_path: Path, aiohttp_client: Any) -> Any:
    accounts = Accounts(engine, hasher=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    users = {
        name: accounts.create(name, role, PASSWORD)
        for name, role in (("anh", "admin"), ("binh", "admin"), ("lan", "helper"))
    }
    review = KbReview(engine, kb_dir, nlu_file=tmp_path / "reviewed.yml")
    settings = load_console_settings(
        database_url=str(engine.url), secret="s" * 40, secret_file=tmp_path / "secret", login_rate_per_minute=100
    )

    def with_review(app: web.Application) -> None:
        app[KB_REVIEW] = review

    app = make_app(
        settings, engine, accounts=accounts, view_modules=(), extra_setups=(with_review, kb_edit_views.setup)
    )

    async def client(name: str) -> Tuple[TestClient, str]:
        made = await aiohttp_client(app)
        page = await (await made.get("/login")).text()
        token = _csrf(page)
        response = await made.post("/login", data={"name": name, "password": PASSWORD, "csrf": token})
        assert response.status == 200
        return made, _csrf(await response.text())

    return client, review, users, kb_dir


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    return found.group(1) if found else ""


def _posted(data: Dict[str, Any], token: str, note: str, base: str = "", **extra: str) -> Pairs:
    return [*form_pairs(data), ("csrf", token), ("note", note), ("base_sha256", base), *extra.items()]


def _with(pairs: Pairs, name: str, value: str) -> Pairs:
    assert any(key == name for key, _ in pairs), name
    return [(key, value if key == name else old) for key, old in pairs]


def _without(pairs: Pairs, name: str) -> Pairs:
    """The pairs a browser sends once a box is unticked."""
    assert any(key == name for key, _ in pairs), name
    return [(key, value) for key, value in pairs if key != name]


def _error_next_to(page: str, element_id: str) -> List[str]:
    """The error messages shown in the field block of the input `element_id`."""
    return re.findall(rf'<p class="kbf-error" id="{element_id}-error-\d+">([^<]*)</p>', page)


async def test_only_admins_open_the_form(setup: Any) -> None:
    client, *_ = setup
    helper, _ = await client("lan")
    assert (await helper.get("/kb/procedures/khai-sinh/edit")).status == 403
    assert (await helper.get("/kb/procedures/new")).status == 403
    admin, _ = await client("anh")
    assert (await admin.get("/kb/procedures/khong-co/edit")).status == 404


async def test_the_form_shows_the_live_record_and_its_marks(setup: Any) -> None:
    client, review, _, _ = setup
    admin, _ = await client("anh")
    response = await admin.get("/kb/procedures/khai-sinh/edit")
    page = await response.text()
    assert response.status == 200
    live = review.live("khai-sinh")
    assert _hidden(page, "base_sha256") == live.sha256
    assert 'name="channels[0].fees[1].set_by_province" value="true" checked' in page
    assert 'id="f-provenance-fees-verified" name="provenance.fees.verified" value="true" checked' in page
    assert 'value="dvc-1-001193, nghean-30432"' in page  # provenance.documents.sources
    assert '<label for="f-channels-0-fees-0-amount">Số tiền (VND)</label>' in page
    assert "Xác minh: Phí, lệ phí" in page and "Thành phần hồ sơ" in page
    assert 'name="id" value="khai-sinh" readonly' in page
    assert "<script>" not in page and " style=" not in page  # CSP: no inline script or style


async def test_a_bad_amount_shows_next_to_its_field_and_keeps_the_text(setup: Any) -> None:
    client, review, _, kb_dir = setup
    admin, token = await client("anh")
    live = review.live("khai-sinh")
    pairs = _posted(live.data, token, "Cập nhật lệ phí", live.sha256)
    pairs = _with(_without(pairs, "channels[0].fees[0].free"), "channels[0].fees[0].amount", "20.000")
    before = (kb_dir / "khai-sinh.yml").read_bytes()
    response = await admin.post("/kb/procedures/khai-sinh/edit", data=pairs, allow_redirects=False)
    page = await response.text()
    assert response.status == 422
    assert _error_next_to(page, "f-channels-0-fees-0-amount") == [
        "số tiền phải là số nguyên (ví dụ 20000), không phải chữ"
    ]
    assert 'name="channels[0].fees[0].amount" value="20.000"' in page  # what the admin typed
    assert '<a href="#f-channels-0-fees-0-amount">' in page  # the summary links to it
    assert "Cập nhật lệ phí" in page  # the reason too
    assert (kb_dir / "khai-sinh.yml").read_bytes() == before
    assert review.drafts() == []


async def test_a_good_change_becomes_a_draft_and_the_live_file_stays(setup: Any) -> None:
    client, review, users, kb_dir = setup
    admin, token = await client("anh")
    live = review.live("khai-sinh")
    pairs = _with(_posted(live.data, token, "Thêm tên gọi", live.sha256), "aliases", "khai sinh\r\nlàm khai sinh con")
    before = (kb_dir / "khai-sinh.yml").read_bytes()
    response = await admin.post("/kb/procedures/khai-sinh/edit", data=pairs, allow_redirects=False)
    assert response.status == 303
    (draft,) = review.drafts()
    assert response.headers["Location"] == f"/kb/drafts/{draft.id}"
    assert draft.kind == "edit" and draft.state == "waiting" and draft.author_id == users["anh"].id
    assert draft.base_sha256 == live.sha256 and draft.note == "Thêm tên gọi"
    assert draft.data["aliases"] == ["khai sinh", "làm khai sinh con"]
    assert {k: v for k, v in draft.data.items() if k != "aliases"} == {
        k: v for k, v in live.data.items() if k != "aliases"
    }
    assert (kb_dir / "khai-sinh.yml").read_bytes() == before

    # the author opens their draft again, and saving updates it
    page = await (await admin.get(f"/kb/procedures/khai-sinh/edit?draft={draft.id}")).text()
    assert "làm khai sinh con" in page and _hidden(page, "draft") == str(draft.id)
    pairs = _with(
        _posted(draft.data, token, "Thêm tên gọi", live.sha256, draft=str(draft.id)), "result", "Giấy khai sinh"
    )
    response = await admin.post("/kb/procedures/khai-sinh/edit", data=pairs, allow_redirects=False)
    assert response.headers["Location"] == f"/kb/drafts/{draft.id}"
    assert review.get(draft.id).data["result"] == "Giấy khai sinh" and len(review.drafts()) == 1


async def test_a_reason_is_required_and_nfc_is_made(setup: Any) -> None:
    client, review, _, _ = setup
    admin, token = await client("anh")
    live = review.live("khai-sinh")
    decomposed = "Giấy khai sinh (bản chính)".replace("ấ", "a\u0302\u0301")
    pairs = _with(_posted(live.data, token, "  ", live.sha256), "result", decomposed)
    page = await (await admin.post("/kb/procedures/khai-sinh/edit", data=pairs)).text()
    assert _error_next_to(page, "f-note") == ["Hãy ghi lý do thay đổi."]
    pairs = _with(pairs, "note", "Sửa kết quả")
    assert (await admin.post("/kb/procedures/khai-sinh/edit", data=pairs, allow_redirects=False)).status == 303
    assert review.drafts()[0].data["result"] == "Giấy khai sinh (bản chính)"  # NFC


async def test_whole_kb_problems_of_the_service_show_at_their_field(setup: Any) -> None:
    client, review, _, _ = setup
    admin, token = await client("anh")
    live = review.live("khai-sinh")
    aliases = "\n".join([*live.data["aliases"], "căn cước"])  # a name of can-cuoc
    pairs = _with(_posted(live.data, token, "Thêm tên", live.sha256), "aliases", aliases)
    response = await admin.post("/kb/procedures/khai-sinh/edit", data=pairs)
    page = await response.text()
    assert response.status == 422
    (message,) = _error_next_to(page, "f-aliases")
    assert message.startswith(f"dòng {len(live.data['aliases']) + 1}: ") and "can-cuoc" in message
    assert review.drafts() == []


async def test_a_verified_mark_needs_a_source_shown_at_its_sources(setup: Any) -> None:
    client, review, _, _ = setup
    admin, token = await client("anh")
    live = review.live("khai-sinh")
    pairs = [*_posted(live.data, token, "Xác minh", live.sha256), ("provenance.validity.verified", "true")]
    page = await (await admin.post("/kb/procedures/khai-sinh/edit", data=pairs)).text()
    assert _error_next_to(page, "f-provenance-validity-sources") == [
        "nhóm đã xác minh (verified = TRUE) phải ghi ít nhất một nguồn"
    ]
    assert 'id="f-provenance-validity-verified" name="provenance.validity.verified" value="true" checked' in page


async def test_a_new_procedure_is_a_create_draft(setup: Any) -> None:
    client, review, _, kb_dir = setup
    admin, token = await client("anh")
    page = await (await admin.get("/kb/procedures/new")).text()
    assert 'name="id" value=""' in page and "readonly" not in page.split('name="id"')[1].split(">")[0]
    record = Procedure.parse_obj(
        {
            "id": "thu-tuc-moi",
            "title": "Thủ tục thử nghiệm mới",
            "sources": [{"id": "nguon", "title": "Nguồn", "kind": "primary"}],
            "last_verified": "2026-11-01",
            "channels": [{"kind": "in_person", "fees": [{"amount": 50000}]}],
            "provenance": {"fees": {"verified": True, "sources": ["nguon"]}},
        }
    )
    pairs = _posted(record_data(record), token, "Thủ tục mới")
    response = await admin.post("/kb/procedures/new", data=pairs, allow_redirects=False)
    assert response.status == 303
    (draft,) = review.drafts()
    assert draft.kind == "create" and draft.base_sha256 is None and draft.procedure_id == "thu-tuc-moi"
    assert draft.data == record_data(record)
    assert not (kb_dir / "thu-tuc-moi.yml").exists()

    # the author goes on with the draft of the new procedure; another admin may not
    page = await (await admin.get(f"/kb/procedures/thu-tuc-moi/edit?draft={draft.id}")).text()
    assert _hidden(page, "draft") == str(draft.id) and "Thủ tục thử nghiệm mới" in page
    other, _ = await client("binh")
    assert (await other.get(f"/kb/procedures/thu-tuc-moi/edit?draft={draft.id}")).status == 403
    again = [*_with(pairs, "title", "Thủ tục thử nghiệm mới (sửa)"), ("draft", str(draft.id))]
    response = await admin.post("/kb/procedures/thu-tuc-moi/edit", data=again, allow_redirects=False)
    assert response.headers["Location"] == f"/kb/drafts/{draft.id}"
    assert review.get(draft.id).kind == "create" and review.get(draft.id).data["title"].endswith("(sửa)")

    taken = _with(pairs, "id", "khai-sinh")
    page = await (await admin.post("/kb/procedures/new", data=taken)).text()
    assert _error_next_to(page, "f-id") and "khai-sinh" in _error_next_to(page, "f-id")[0]
