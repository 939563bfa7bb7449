"""Conversations on Redis, failing on purpose: a real redis-server started here on a spare port
(with an append-only file, as a production Redis keeps its data), stopped and restarted; the
Rasa server restarted; the action server stopped; Redis frozen (SIGSTOP). Two Rasa replicas share
the conversations."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from bot.launcher import free_port, start_action_server, start_rasa_server, stop, write_endpoints
from tests.e2e.conftest import TODAY, say
from tests.redis_server import start_redis_server

pytestmark = pytest.mark.e2e

APOLOGY = "Xin lỗi, hệ thống tạm thời gián đoạn, vui lòng thử lại"


class RedisServer:
    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = start_redis_server(
            self.port, "--dir", str(self.directory), "--appendonly", "yes", "--appendfsync", "always", "--save", ""
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Servers:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.redis = RedisServer(tmp)
        self.action_port = free_port()
        self.env: Dict[str, str] = {"MOTCUA_TODAY": TODAY}
        self.rasa_ports: List[int] = []
        self.processes: Dict[str, subprocess.Popen] = {}

    def webhook(self, index: int = 0) -> str:
        return f"http://127.0.0.1:{self.rasa_ports[index]}/webhooks/rest/webhook"

    def start_actions(self) -> None:
        self.processes["actions"] = start_action_server(self.action_port, env={**self.env, "REDIS_URL": self.redis.url})

    def start_rasa(self, index: int) -> None:
        endpoints = write_endpoints(
            f"http://127.0.0.1:{self.action_port}/webhook", self.tmp, {**self.env, "REDIS_URL": self.redis.url}
        )
        self.processes[f"rasa{index}"] = start_rasa_server(
            self.rasa_ports[index], endpoints, env={**self.env, "REDIS_URL": self.redis.url}
        )

    def stop(self, name: str) -> None:
        stop(self.processes.pop(name))


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    s = Servers(tmp_path_factory.mktemp("redis"))
    s.redis.start()
    s.rasa_ports = [free_port(), free_port()]
    try:
        s.start_actions()
        s.start_rasa(0)
        s.start_rasa(1)
        yield s
    finally:
        for name in list(s.processes):
            s.stop(name)
        s.redis.stop()


def first_text(replies: list) -> str:
    return replies[0].get("text", "") if replies else "(no reply)"


async def test_replicas_share_the_conversation(servers: Servers) -> None:
    first = await say(servers.webhook(0), "r-share", "làm giấy khai sinh cần giấy tờ gì")
    assert first_text(first).startswith("Giấy tờ cần chuẩn bị — Đăng ký khai sinh")
    follow = await say(servers.webhook(1), "r-share", "còn lệ phí?")  # the other replica
    assert first_text(follow).startswith("Lệ phí — Đăng ký khai sinh")


async def test_one_citizens_messages_are_answered_in_order_across_replicas(servers: Servers) -> None:
    questions = ["đăng ký tạm trú cần giấy tờ gì", "còn lệ phí?", "mất bao lâu?", "nộp ở đâu?"]
    expected = ["Giấy tờ cần chuẩn bị", "Lệ phí", "Thời hạn giải quyết", "Nơi nộp hồ sơ"]
    tasks = []
    for i, question in enumerate(questions):  # sent at once, alternating replicas
        tasks.append(asyncio.create_task(say(servers.webhook(i % 2), "r-order", question)))
        await asyncio.sleep(0.02)
    replies = await asyncio.gather(*tasks)
    assert [first_text(r).split(" — ")[0] for r in replies] == expected
    assert all("Đăng ký tạm trú" in first_text(r) for r in replies)


async def test_redis_away_gets_an_apology_and_the_conversation_survives(servers: Servers) -> None:
    await say(servers.webhook(0), "r-away", "đăng ký thường trú cần giấy tờ gì")
    servers.redis.stop()
    try:
        started = time.monotonic()
        during = await say(servers.webhook(0), "r-away", "còn lệ phí?")
        assert time.monotonic() - started < 5
        assert first_text(during).startswith(APOLOGY)
        other = await say(servers.webhook(1), "r-away-2", "xin chào")  # the server keeps serving
        assert first_text(other).startswith(APOLOGY)
    finally:
        servers.redis.start()
    after = await say(servers.webhook(0), "r-away", "còn lệ phí?")  # recovered by itself
    assert first_text(after).startswith("Lệ phí — Đăng ký thường trú")


async def test_a_hung_redis_gets_an_apology_and_the_server_keeps_serving(servers: Servers) -> None:
    """Redis stopped with SIGSTOP: connections stay open and nothing answers (an overloaded or
    partitioned Redis). No call may wait on it for ever: the event loop serves everyone."""
    await say(servers.webhook(0), "r-hung", "đăng ký tạm trú cần giấy tờ gì")
    assert servers.redis.process is not None
    os.kill(servers.redis.process.pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        during = await asyncio.gather(
            say(servers.webhook(0), "r-hung", "còn lệ phí?"), say(servers.webhook(0), "r-hung-2", "xin chào")
        )
        assert time.monotonic() - started < 6
        assert [first_text(r)[: len(APOLOGY)] for r in during] == [APOLOGY, APOLOGY]
    finally:
        os.kill(servers.redis.process.pid, signal.SIGCONT)
    after = await say(servers.webhook(0), "r-hung", "còn lệ phí?")  # recovered by itself
    assert first_text(after).startswith("Lệ phí — Đăng ký tạm trú")


async def test_a_rasa_restart_keeps_the_conversation(servers: Servers) -> None:
    await say(servers.webhook(0), "r-restart", "làm hộ chiếu cần giấy tờ gì")
    servers.stop("rasa0")
    servers.start_rasa(0)
    after = await say(servers.webhook(0), "r-restart", "mất bao lâu?")
    assert first_text(after).startswith("Thời hạn giải quyết — Cấp hộ chiếu phổ thông")


async def test_the_action_server_down_gets_an_apology_within_5_s(servers: Servers) -> None:
    servers.stop("actions")
    try:
        started = time.monotonic()
        replies = await say(servers.webhook(0), "r-actions", "làm giấy khai sinh cần giấy tờ gì")
        assert time.monotonic() - started < 5
        assert first_text(replies).startswith(APOLOGY)
    finally:
        servers.start_actions()
