"""Security figures of the running assistant: what an attacker gets, and what the logs hold.

    python -m bench.security [--senders 150] [--code 000.00.53.H48-261101-0004]

Starts the portal simulator, an action server and a Rasa server on free ports (with the action
server token, a portal token and fake Telegram secrets set, Telegram pointed at the fake Bot
API of tests/fakes), as `make run` would, each writing its log to a file, then:

(a) brute force: an attacker rotating REST senders (one new sender per guess, so the per-sender
    limit never bites) sends the dossier code, then 4 digits. It counts the guesses actually
    evaluated (answered "4 số cuối chưa khớp…") before the answers turn to the lock message, and
    the lookups answered with the status against those refused by the global budget or the
    per-sender limit. A lock that lasts 24 h makes the evaluated guesses the guesses per dossier
    per day;
(b) long messages: the time to answer 100 KB messages over REST (plain, and an adversarial
    'x còn ' * 17000, which took the old patterns 11 s), and a 2 MB body;
(c) the logs: Telegram updates through the webhook and through `python -m connectors.telegram
    poll`, then every server's log file searched for every configured secret.

It measures whatever the servers do (the per-dossier lock and the global budget included), prints a
table, and stays bounded: `--senders` guesses, under 3 minutes on this machine. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Dict, List, Optional, Tuple
from urllib.parse import quote

import aiohttp

from bot import messages as msg
from bot.launcher import (
    ROOT,
    child_env,
    free_port,
    require_model,
    start_action_server,
    start_portal_simulator,
    start_rasa_server,
    stop,
    write_endpoints,
)
from connectors import messages as channel_msg
from tests.e2e.conftest import serve_in_thread
from tests.fakes.telegram_api import FakeTelegram, text_update

TODAY = "2026-11-22"
SECRETS = {
    "TELEGRAM_BOT_TOKEN": "7009876543:" + "AAG-bench-security-token-abcdefghijk",  # fake (split for secret scanners)
    "TELEGRAM_WEBHOOK_SECRET": "bench-security-webhook-secret",
    "PORTAL_TOKEN": "bench-security-portal-token",
    "ACTION_SERVER_TOKEN": "bench-security-action-token",
    "MOTCUA_SIMULATOR_TOKEN": "bench-security-simulator-token",
    "MOTCUA_WEB_SESSION_SECRET": "bench-security-web-session-secret-0123456789",
}
DEADLINE_SECONDS = 150  # the attack stops here whatever it has counted


def opening(template: str) -> str:
    """The fixed words a reply made from `template` starts with (before any {field})."""
    return template.split("{", 1)[0].strip()[:60]


@dataclass
class Attack:
    code: str
    senders: int = 0
    status_answers: int = 0
    budget_refusals: int = 0
    sender_limits: int = 0
    other_first: int = 0
    evaluated: int = 0
    locked: int = 0
    details_shown: int = 0
    other_second: int = 0
    guesses_before_lock: Optional[int] = None
    samples: List[str] = field(default_factory=list)

    def classify_first(self, text: str) -> bool:
        """Was the lookup answered with the status (so the digits can be tried)?"""
        if text.startswith(msg.DOSSIER_HEADING.format(code=self.code)):
            self.status_answers += 1
            return True
        if text.startswith(opening(msg.DOSSIER_GLOBAL_BUSY)):
            self.budget_refusals += 1
        elif text.startswith(opening(msg.DOSSIER_LIMIT)):
            self.sender_limits += 1
        else:
            self.other_first += 1
            self.samples.append(text[:100])
        return False

    def classify_second(self, text: str) -> None:
        if text.startswith(opening(msg.DOSSIER_WRONG_DIGITS)):
            self.evaluated += 1
        elif text.startswith(opening(msg.DOSSIER_LOCKED)):
            self.locked += 1
            if self.guesses_before_lock is None:
                self.guesses_before_lock = self.evaluated
        elif text.startswith(opening(msg.DOSSIER_DETAILS_HEADING)):
            self.details_shown += 1
        elif text.startswith(opening(msg.DOSSIER_GLOBAL_BUSY)):
            self.budget_refusals += 1
        else:
            self.other_second += 1
            self.samples.append(text[:100])


async def say(session: aiohttp.ClientSession, webhook: str, sender: str, text: str) -> Tuple[int, str, float]:
    started = time.perf_counter()
    async with session.post(webhook, json={"sender": sender, "message": text}) as response:
        status = response.status
        body: Any = await response.json(content_type=None) if status == 200 else None
    seconds = time.perf_counter() - started
    replies = body if isinstance(body, list) else []
    return status, "\n".join(str(r.get("text", "")) for r in replies if isinstance(r, dict)), seconds


async def brute_force(webhook: str, code: str, senders: int) -> Attack:
    attack = Attack(code)
    deadline = time.monotonic() + DEADLINE_SECONDS
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        for guess in range(senders):
            if time.monotonic() > deadline:
                break
            sender = f"attacker-{guess:04d}"
            attack.senders += 1
            _, first, _ = await say(session, webhook, sender, f"tra cứu hồ sơ {code}")
            if attack.classify_first(first):
                _, second, _ = await say(session, webhook, sender, f"{guess:04d}")  # never the right 4 digits
                attack.classify_second(second)
    return attack


async def long_messages(webhook: str) -> List[Tuple[str, str]]:
    rows = []
    note = channel_msg.MESSAGE_TOO_LONG.split("{", 1)[0]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for name, text in (("100 KB 'a'", "a" * 100_000), ("100 KB 'x còn ' * 17000", "x còn " * 17_000)):
            status, reply, seconds = await say(session, webhook, "bench-long", text)
            what = "the too-long note" if reply.startswith(note) else f"{reply[:40]!r}"
            rows.append((f"long message {name}", f"HTTP {status}, {what}, {seconds * 1000:.0f} ms"))
        started = time.perf_counter()
        body = b'{"sender": "bench-long", "message": "' + b"a" * 2_000_000 + b'"}'
        try:
            async with session.post(webhook, data=body, headers={"Content-Type": "application/json"}) as response:
                status_text = f"HTTP {response.status}"
        except aiohttp.ClientError as exc:  # the server may close before the body is sent
            status_text = f"connection closed ({type(exc).__name__})"
        rows.append(("body of 2 MB over REST", f"{status_text}, {(time.perf_counter() - started) * 1000:.0f} ms"))
    return rows


async def telegram_traffic(rasa_port: int, fake: FakeTelegram) -> None:
    url = f"http://127.0.0.1:{rasa_port}/webhooks/telegram/webhook"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRETS["TELEGRAM_WEBHOOK_SECRET"]}
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        for number, text in enumerate(("làm giấy khai sinh cần giấy tờ gì", "tra cứu hồ sơ 000.00.53.H48-261101-0009")):
            async with session.post(url, json=text_update(900 + number, 7001, text), headers=headers) as response:
                await response.read()
    deadline = time.monotonic() + 15
    while len(fake.sent(7001)) < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)


def poll_once(rasa_port: int, fake: FakeTelegram, env: Dict[str, str], log: IO[str]) -> None:
    fake.updates = [text_update(950, 7002, "xin chào")]
    poll = [sys.executable, "-m", "connectors.telegram", "poll", "--rasa", f"http://127.0.0.1:{rasa_port}"]
    subprocess.run(
        [*poll, "--rounds", "1"],
        cwd=ROOT, env=child_env(env), stdout=log, stderr=subprocess.STDOUT, timeout=120, check=False,
    )  # fmt: skip


def secrets_in_logs(files: List[Path]) -> List[Tuple[str, str, int]]:
    found = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for name, value in SECRETS.items():
            count = sum(len(re.findall(re.escape(form), text)) for form in {value, quote(value, safe="")})
            if count:
                found.append((path.name, name, count))
    return found


def table(rows: List[Tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


def attack_rows(attack: Attack) -> List[Tuple[str, str]]:
    rows = [
        (f"brute force on {attack.code}", f"{attack.senders} senders, one guess each"),
        ("  lookups answered with the status", str(attack.status_answers)),
        ("  refused by the global budget", str(attack.budget_refusals)),
        ("  refused by the per-sender limit", str(attack.sender_limits)),
        ("  digit guesses evaluated", str(attack.evaluated)),
        ("  answered with the lock message", str(attack.locked)),
        ("  details shown (must be 0)", str(attack.details_shown)),
    ]
    if attack.guesses_before_lock is not None:
        per_day = attack.guesses_before_lock
        rows.append(("  guesses evaluated before the lock", str(per_day)))
        rows.append(
            ("  guesses per dossier per day", f"{per_day} (lock of 24 h): a {per_day / 10_000:.2%} chance a day")
        )
    else:
        rows.append(("  guesses evaluated before the lock", f"no lock within {attack.evaluated} guesses"))
    if attack.other_first or attack.other_second:
        rows.append(("  other answers", f"{attack.other_first + attack.other_second}: {attack.samples[:2]}"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--senders", type=int, default=150, help="guesses, one sender each (past a minute's budget)")
    parser.add_argument("--code", default="000.00.53.H48-261101-0004")
    args = parser.parse_args()
    require_model()
    started = time.monotonic()
    telegram = FakeTelegram(SECRETS["TELEGRAM_BOT_TOKEN"])
    telegram_url = serve_in_thread(telegram.app())
    portal_port, action_port, rasa_port = free_port(), free_port(), free_port()
    env = {
        **SECRETS,
        "MOTCUA_TODAY": TODAY,
        "PORTAL_URL": f"http://127.0.0.1:{portal_port}",
        "TELEGRAM_API_BASE_URL": f"{telegram_url}/bot",
        "MOTCUA_CORS_ORIGINS": "",
    }
    with tempfile.TemporaryDirectory(prefix="motcua-security-") as tmp:
        directory = Path(tmp)
        names = ("portal", "actions", "rasa", "poll")
        logs = {name: (directory / f"{name}.log").open("w", encoding="utf-8") for name in names}
        processes: List[subprocess.Popen] = []
        try:
            processes.append(start_portal_simulator(portal_port, env=env, log=logs["portal"]))
            processes.append(start_action_server(action_port, env=env, log=logs["actions"]))
            endpoints = write_endpoints(f"http://127.0.0.1:{action_port}/webhook", directory, env)
            processes.append(start_rasa_server(rasa_port, endpoints, env=env, log=logs["rasa"]))
            webhook = f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook"
            attack = asyncio.run(brute_force(webhook, args.code, args.senders))
            long_rows = asyncio.run(long_messages(webhook))
            asyncio.run(telegram_traffic(rasa_port, telegram))
            poll_once(rasa_port, telegram, env, logs["poll"])
        finally:
            for process in reversed(processes):
                stop(process)
            for handle in logs.values():
                handle.close()
        found = secrets_in_logs([directory / f"{name}.log" for name in names])
        lines = sum(
            len((directory / f"{n}.log").read_text(encoding="utf-8", errors="replace").splitlines()) for n in names
        )
    rows = attack_rows(attack) + long_rows
    rows.append(("secrets found in logs", f"{sum(c for _, _, c in found)} (in {lines} log lines of 4 processes)"))
    rows += [(f"  {name} in {file}", str(count)) for file, name, count in found]
    print(f"Security figures ({time.monotonic() - started:.0f} s, servers on loopback, default limits):")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
