"""Dossier lookups through the real servers over REST, against the portal simulator that the
test session started (PORTAL_URL), including a portal that stops answering."""

from __future__ import annotations

import asyncio
import time
from typing import AsyncIterator

import aiohttp
import pytest

from tests.e2e.conftest import say

pytestmark = pytest.mark.e2e


def text_of(replies: list) -> str:
    return "\n\n".join(r.get("text", "") for r in replies)


async def set_fault(portal: str, mode: str | None) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{portal}/_sim/faults", json={"mode": mode}) as response:
            assert response.status == 200


@pytest.fixture
async def healthy_portal(portal_url: str) -> AsyncIterator[str]:
    """The portal; healthy again after the test, whatever the test broke."""
    yield portal_url
    await set_fault(portal_url, None)


async def test_lookup_with_code_then_owner_details(webhook: str) -> None:
    sender = "e2e-dossier-1"
    asked = text_of(await say(webhook, sender, "tra cứu hồ sơ"))
    assert asked.startswith("Bạn gửi giúp mình mã hồ sơ")
    status = text_of(await say(webhook, sender, "000 00 53 h48 261101 0005"))
    assert status.startswith("Hồ sơ 000.00.53.H48-261101-0005\nTình trạng: cần bổ sung giấy tờ")
    for private in ("Võ", "khai sinh", "giấy chứng sinh", "0905"):  # no name, procedure, papers or phone
        assert private not in status
    assert status.endswith("(Dữ liệu mô phỏng để thử nghiệm, không phải hồ sơ thật.)")  # the simulator's data
    details = text_of(await say(webhook, sender, "3405"))
    assert details.startswith("Chi tiết hồ sơ 000.00.53.H48-261101-0005 — Đăng ký khai sinh")
    assert "Người nộp: Võ T*** H" in details
    assert "Giấy tờ cần bổ sung: Bổ sung giấy chứng sinh bản chính" in details
    assert details.endswith("(Dữ liệu mô phỏng để thử nghiệm, không phải hồ sơ thật.)")
    papers = text_of(await say(webhook, sender, "cần giấy tờ gì?"))
    assert papers.startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")


async def test_code_in_the_first_message_overdue(webhook: str) -> None:
    reply = text_of(await say(webhook, "e2e-dossier-2", "hồ sơ 000.00.53.H48-261101-0011 của tôi đến đâu rồi"))
    assert reply.startswith("Hồ sơ 000.00.53.H48-261101-0011\nTình trạng: đang được giải quyết")
    assert "đã quá ngày hẹn trả" in reply and "1800 1096" in reply


async def test_a_bad_code_gets_the_format(webhook: str) -> None:
    reply = text_of(await say(webhook, "e2e-dossier-3", "tra cứu hồ sơ 000.00.53.H48-2611-01"))
    assert "Mã hồ sơ có dạng 000.00.53.H48-220921-0099" in reply


async def test_a_dead_portal_answers_within_5_s_and_others_are_served(webhook: str, healthy_portal: str) -> None:
    await set_fault(healthy_portal, "timeout")
    started = time.monotonic()
    lookup = asyncio.create_task(say(webhook, "e2e-dossier-4", "tra cứu hồ sơ 000.00.53.H48-261101-0004"))
    other = await say(webhook, "e2e-dossier-5", "làm giấy khai sinh cần giấy tờ gì")
    assert text_of(other).startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")
    reply = text_of(await lookup)
    assert time.monotonic() - started < 5
    assert reply.startswith("Hệ thống tra cứu hồ sơ đang bận") and "1800 1096" in reply
