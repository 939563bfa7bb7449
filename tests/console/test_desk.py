"""The procedure desk's pages through aiohttp's test client, logged in as a helper, over the real
knowledge base: the search the assistant uses, every fact with its mark, the printable checklist
with its QR code, the text for a chat, the 404 page, and who may see them."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Awaitable, Callable

import pytest
import zxingcpp
from aiohttp import web
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher
from PIL import Image

from console.accounts import Accounts
from console.checklist import checklist_text
from console.db import make_engine
from console.migrate import upgrade
from console.qr import qr_png, telegram_link
from console.settings import load_console_settings
from console.web import desk_views
from console.web.app import make_app
from console.web.desk_views import DESK_KB, DeskKnowledge, search
from motcua.settings import get_settings
from procedures_kb import KnowledgeBase

PASSWORD = "mat-khau-du-dai-1"
MakeClient = Callable[..., Awaitable[TestClient]]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KnowledgeBase.load()


def desk_app(tmp_path: Path, kb: KnowledgeBase, **settings: Any) -> web.Application:
    url = f"sqlite:///{tmp_path / 'console.db'}"
    upgrade(url)
    engine = make_engine(url)
    config = load_console_settings(database_url=url, secret="s" * 40, **settings)
    accounts = Accounts.from_settings(engine, config, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    accounts.create("helper-an", "helper", PASSWORD)
    accounts.create("admin-binh", "admin", PASSWORD)

    def knowledge(app: web.Application) -> None:
        app[DESK_KB] = DeskKnowledge.of(kb)

    app = make_app(config, engine, accounts=accounts, view_modules=(), extra_setups=(knowledge, desk_views.setup))
    app.on_cleanup.append(lambda _: _dispose(engine))
    return app


async def _dispose(engine: Any) -> None:
    engine.dispose()


async def log_in(client: TestClient, name: str = "helper-an") -> None:
    page = await (await client.get("/login")).text()
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    response = await client.post(
        "/login", data={"name": name, "password": PASSWORD, "csrf": token.group(1), "next": "/"}, allow_redirects=False
    )
    assert response.status == 303, await response.text()


@pytest.fixture
async def client(tmp_path: Path, kb: KnowledgeBase, aiohttp_client: MakeClient) -> TestClient:
    app = desk_app(tmp_path, kb, telegram_bot_username="motcua_bot")
    client = await aiohttp_client(app)
    await log_in(client)
    return client


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_search_is_the_assistants(kb: KnowledgeBase) -> None:
    hits = search(kb, "cccd")
    assert hits[0].procedure_id == "can-cuoc" and hits[0].meant and hits[0].curated
    assert hits[0].code == "2.000200"
    assert search(kb, "dk tam tru")[0].procedure_id == "tam-tru"  # no diacritics, an abbreviation
    assert search(kb, "   ") == []
    assert search(kb, "khai sinh " * 100)[0].procedure_id == "khai-sinh"  # cut at 200 characters


async def test_search_page_lists_results_with_code_level_and_origin(client: TestClient) -> None:
    response = await client.get("/desk", params={"q": "khai sinh"})
    assert response.status == 200
    html = await response.text()
    assert '<html lang="vi">' in html
    assert 'href="/desk/p/khai-sinh"' in html
    text = text_of(html)
    assert "Đăng ký khai sinh" in text and "Mã TTHC 1.001193" in text and "Cấp xã" in text
    assert "Đã biên soạn" in text and "Trợ lý sẽ trả lời bằng thủ tục này" in text
    assert "Nhập từ danh mục quốc gia, chưa rà soát" in text  # "đăng ký lại khai sinh" (tthc-1-004884)
    assert "<script>" not in html and " onclick=" not in html


async def test_search_without_diacritics_and_an_empty_query(client: TestClient) -> None:
    html = await (await client.get("/desk", params={"q": "cccd"})).text()
    assert 'href="/desk/p/can-cuoc"' in html
    html = await (await client.get("/desk")).text()
    assert 'href="/desk/p/khai-sinh"' in html and "Thủ tục đã biên soạn" in html
    long = await (await client.get("/desk", params={"q": "x" * 5000})).text()
    assert "chỉ tìm theo phần đầu" in long and f'name="q" type="search" value="{"x" * 200}"' in long


async def test_procedure_page_shows_every_fact_with_its_mark(client: TestClient, kb: KnowledgeBase) -> None:
    response = await client.get("/desk/p/khai-sinh")
    assert response.status == 200
    html = await response.text()
    text = text_of(html)
    for fact in (
        "Tờ khai đăng ký khai sinh; mẫu: Mẫu ban hành kèm Thông tư 04/2020/TT-BTP; 1 bản chính",
        "Miễn lệ phí — Đăng ký khai sinh đúng hạn (trong 60 ngày kể từ ngày sinh)",
        "Cơ quan giải quyết: Ủy ban nhân dân cấp xã nơi cư trú của người cha hoặc người mẹ",
        "Chậm nhất 60 ngày kể từ ngày sinh.",
        "Cập nhật: 22/11/2026",
        "In danh sách (A4)",
        "In (A5)",
        "Sao chép để gửi",
    ):
        assert fact in text, fact
    assert "✓ Đã xác minh" in text and "⚠ Chưa xác minh" in text  # steps are not verified
    assert "gọi tổng đài 1800 1096" in text
    assert 'href="/desk/p/khai-sinh/checklist?size=a4"' in html and 'href="/desk/p/khai-sinh/checklist?size=a5"' in html
    assert '<script src="/static/desk.js" defer></script>' in html
    assert checklist_text(kb.get("khai-sinh")).splitlines()[0] in html  # the text the button copies
    assert "https://t.me/motcua_bot?start=khai-sinh" in html


async def test_an_imported_procedure_says_it_is_not_reviewed(client: TestClient) -> None:
    text = text_of(await (await client.get("/desk/p/tthc-1-004884")).text())
    assert "Nhập từ danh mục thủ tục quốc gia, chưa rà soát" in text
    assert "Sao từ Cổng Dịch vụ công quốc gia ngày 10/06/2026, chưa được cán bộ rà soát." in text


async def test_checklist_page_prints_the_qr_of_the_deep_link(client: TestClient) -> None:
    for size in ("a4", "a5"):
        response = await client.get("/desk/p/khai-sinh/checklist", params={"size": size})
        assert response.status == 200
        html = await response.text()
        assert f'class="sheet sheet--{size}"' in html
        assert '<link rel="stylesheet" href="/static/print.css">' in html
        assert "Quét để hỏi trợ lý trên Telegram" in html
        assert '<svg viewBox="' in html and "<title>https://t.me/motcua_bot?start=khai-sinh</title>" in html
        assert re.search(r"In ngày \d\d/\d\d/\d{4}", html)
        assert "Nguồn chính thức: https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc-hanh-chinh.html" in html
    odd = await client.get("/desk/p/khai-sinh/checklist", params={"size": "letter"})
    assert 'class="sheet sheet--a4"' in await odd.text()
    link = telegram_link("motcua_bot", "khai-sinh")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr_png(link))))
    assert [code.text for code in decoded] == [link]


async def test_checklist_text_as_text_and_json(client: TestClient, kb: KnowledgeBase) -> None:
    response = await client.get("/desk/p/can-cuoc/checklist.txt")
    assert response.status == 200 and response.content_type == "text/plain" and response.charset == "utf-8"
    text = await response.text()
    assert text == checklist_text(kb.get("can-cuoc"), get_settings().current_date())
    data = await (await client.get("/desk/p/can-cuoc/checklist.txt", headers={"Accept": "application/json"})).json()
    assert data == {"procedure_id": "can-cuoc", "title": "Cấp thẻ căn cước cho người từ đủ 14 tuổi", "text": text}


async def test_unknown_procedure_is_a_vietnamese_404(client: TestClient) -> None:
    for path in ("/desk/p/khong-co", "/desk/p/khong-co/checklist", "/desk/p/khong-co/checklist.txt"):
        response = await client.get(path)
        assert response.status == 404, path
        html = await response.text()
        assert "Không tìm thấy thủ tục" in html and "khong-co" in html and '<html lang="vi">' in html
    response = await client.get("/desk/p/khong-co/checklist.txt", headers={"Accept": "application/json"})
    assert response.status == 404
    assert await response.json() == {"error": "Không tìm thấy thủ tục", "procedure_id": "khong-co"}


async def test_no_qr_without_telegram_or_zalo(tmp_path: Path, kb: KnowledgeBase, aiohttp_client: MakeClient) -> None:
    client = await aiohttp_client(desk_app(tmp_path, kb))
    await log_in(client, "admin-binh")  # an admin may use the desk too
    html = await (await client.get("/desk/p/khai-sinh/checklist")).text()
    assert "<svg" not in html and "Chưa có mã QR" in html and "TELEGRAM_BOT_USERNAME" in html


async def test_zalo_link_when_only_the_oa_is_configured(
    tmp_path: Path, kb: KnowledgeBase, aiohttp_client: MakeClient
) -> None:
    client = await aiohttp_client(desk_app(tmp_path, kb, zalo_oa_id="1234567890123456789"))
    await log_in(client)
    text = text_of(await (await client.get("/desk/p/khai-sinh/checklist")).text())
    assert "Quét để hỏi trợ lý trên Zalo" in text and "rồi gõ: «Đăng ký khai sinh»" in text
    assert "https://zalo.me/1234567890123456789" in text


async def test_the_desk_needs_a_login(tmp_path: Path, kb: KnowledgeBase, aiohttp_client: MakeClient) -> None:
    client = await aiohttp_client(desk_app(tmp_path, kb))
    for path in ("/desk", "/desk/p/khai-sinh", "/desk/p/khai-sinh/checklist", "/desk/p/khai-sinh/checklist.txt"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/login"), path


async def test_pages_carry_the_content_security_policy(client: TestClient) -> None:
    response = await client.get("/desk/p/khai-sinh/checklist")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    html = await response.text()
    assert " style=" not in html and " onclick=" not in html and "<script>" not in html
