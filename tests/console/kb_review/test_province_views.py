"""A province's override of a procedure through the whole application (every view module, over a KB
copy, on SQLite and PostgreSQL): the procedure page lists the provinces, the form shows only the
fields a province may set, a bad amount shows next to its input, a good one becomes a draft that a
second person publishes, and a province file changed meanwhile is refused with what it holds now."""

from __future__ import annotations

import html
import re
from typing import Any, Callable, Dict, List, Tuple

from console.kb_form.parse import form_pairs
from console.kb_review import messages as kbmsg
from procedures_kb.answer_text import PROVINCE_APPLIES
from procedures_kb.kb import KnowledgeBase
from procedures_kb.problems import Code, vietnamese
from tests.console.kb_review.test_service import PASSPORT
from tests.console.kb_review.test_views import logged_in

Make = Callable[[], Any]
Pairs = List[Tuple[str, str]]
EDIT = f"/kb/provinces/da-nang/{PASSPORT}/edit"
AMOUNT = "channels[0].fees[0].amount"


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    return found.group(1) if found else ""


def posted(data: Dict[str, Any], token: str, base: str, amount: str, note: str = "phí Đà Nẵng") -> Pairs:
    pairs = [(key, amount if key == AMOUNT else value) for key, value in form_pairs(data)]
    return [*pairs, ("use.channels", "true"), ("csrf", token), ("note", note), ("base_sha256", base)]


async def test_the_procedure_page_lists_the_provinces_with_their_forms(site: Any) -> None:
    make, _, _, _ = site
    admin, _ = await logged_in(make, "anh")
    page = await (await admin.get("/kb/procedures/khai-sinh")).text()
    assert "Thông tin riêng của tỉnh" in page and page.count("<tr data-province=") == 34
    rows = dict(re.findall(r'<tr data-province="([^"]+)">(.*?)</tr>', page, re.S))
    assert "data-own" in rows["ha-noi"] and "data-own" not in rows["da-nang"]
    assert 'href="/kb/provinces/ha-noi/khai-sinh/edit"' in rows["ha-noi"]

    reviewer, _ = await logged_in(make, "binh")
    assert "/kb/provinces/ha-noi/khai-sinh/edit" not in await (await reviewer.get("/kb/procedures/khai-sinh")).text()
    assert (await reviewer.get("/kb/provinces/ha-noi/khai-sinh/edit")).status == 403
    assert (await admin.get("/kb/provinces/atlantis/khai-sinh/edit")).status == 404
    assert (await admin.get("/kb/provinces/ha-noi/khong-co/edit")).status == 404


async def test_a_bad_amount_shows_at_its_field_and_a_good_one_is_published_by_a_reviewer(site: Any) -> None:
    make, review, _, kb_dir = site
    national = review.live(PASSPORT).data
    admin, token = await logged_in(make, "anh")
    page = await (await admin.get(EDIT)).text()
    use_channels = re.search(r'name="use.channels"[^>]*>', page)
    assert use_channels is not None and "checked" not in use_channels.group(0)
    assert 'id="f-title"' not in page and 'id="f-channels-0-fees-0-amount"' in page  # national fields are not here
    base = hidden(page, "base_sha256")
    assert base == ""  # Đà Nẵng has no file yet

    refused = await admin.post(EDIT, data=posted(national, token, base, "20.000"), allow_redirects=False)
    page = html.unescape(await refused.text())
    assert refused.status == 422
    error = re.search(r'id="f-channels-0-fees-0-amount-error-1">([^<]*)<', page)
    assert error is not None and error.group(1) == vietnamese(Code.amount_as_text, {})
    assert re.search(r'name="use.channels"[^>]*checked', page)  # the admin's choice is kept
    assert review.drafts() == []

    saved = await admin.post(EDIT, data=posted(national, token, base, "250000"), allow_redirects=False)
    assert saved.status == 303
    target = saved.headers["Location"]
    reviewer, reviewer_token = await logged_in(make, "binh")
    page = html.unescape(await (await reviewer.get(target)).text())
    assert "Đà Nẵng" in page and page.count("data-aspect=") == 6 and "data-approve" in page
    assert PROVINCE_APPLIES.format(province="Đà Nẵng") in page and "250.000" in page
    assert AMOUNT in page  # the list of changed fields
    done = await reviewer.post(f"{target}/approve", data={"csrf": reviewer_token})
    assert done.status == 200 and kbmsg.APPROVED in await done.text()
    local = KnowledgeBase.load(kb_dir).local(PASSPORT, "da-nang")
    assert local is not None and local.channels[0].fees[0].amount == 250000

    page = await (await admin.get(EDIT)).text()
    assert re.search(r'name="use.channels"[^>]*checked', page) and "data-trail=" in page and "binh" in page


async def test_a_province_file_changed_after_the_form_opened_is_refused(site: Any) -> None:
    make, review, _, kb_dir = site
    admin, token = await logged_in(make, "anh")
    address = "/kb/provinces/ha-noi/khai-sinh/edit"
    page = await (await admin.get(address)).text()
    base = hidden(page, "base_sha256")
    assert base and re.search(r'name="use.agency"[^>]*checked', page)
    path = kb_dir.parent / "provinces" / "ha-noi.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("(thành phố Hà Nội)", "(TP Hà Nội)"), encoding="utf-8")

    data = review.province_live("ha-noi", "khai-sinh").merged
    data["agency"]["name"] = "UBND cấp xã (Hà Nội)"
    pairs = [*form_pairs(data), ("use.agency", "true"), ("csrf", token), ("note", "tên"), ("base_sha256", base)]
    refused = await admin.post(address, data=pairs, allow_redirects=False)
    page = html.unescape(await refused.text())
    assert refused.status == 422 and "data-moved" in page and "(TP Hà Nội)" in page
    assert kbmsg.PROVINCE_MOVED.format(file="provinces/ha-noi.yml") in page
    assert review.drafts() == []
