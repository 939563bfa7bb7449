"""The dossier watcher with 100,000 subscriptions on PostgreSQL, against the portal simulator.

    python -m bench.watcher [--subscriptions 100000] [--rps 500] [--scale 72] [--changes 0.03]
                            [--within 120] [--url postgresql://postgres@127.0.0.1:5432/test]

1. A schema of its own in the database (dropped at the end) holds `--subscriptions` subscriptions
   (Telegram conversations `tg:<i>`), one per invented dossier of the simulator's synthetic mode
   (connectors/portal/simulator_synthetic.py: 0.5 % with the appointment today, 2 % within 3
   days, the rest later), each dossier's next poll spread over its interval (a steady state).
2. The simulator (`python -m connectors.portal.simulator --synthetic N`) moves `--changes` of the
   dossiers once each, at times drawn within the first `--within` seconds; the watcher runs as
   `make run` starts it (`python -m connectors.portal.watcher`), its real Notifier delivering into a
   fake Rasa HTTP API here, which notes when each notice arrives.
3. The intervals are the defaults divided by `--scale` (6 h, 1 h, 15 min → 300 s, 50 s, 12.5 s at
   72), and the cap `--rps` with them: 100,000 dossiers at the default intervals ask the portal
   ~5.6 requests/s (the 0.5 % due today every 15 min, the 2 % within 3 days hourly, the rest every
   6 h), so the cap must be above 5.6 x scale (405 at 72: 500 leaves a quarter spare).
Reported: the time from a change at the simulator to the notice at the fake Rasa, p50 / p95 / max
(in bench seconds, and in real time x scale), changes missed or notified twice; the portal's
requests per second counted at the simulator (busiest second and the mean) against the cap; the
watcher's memory (resident set: peak, and at the end). Reported, not asserted (exit 0 when it ran).
Results: results/bench/watcher.json. Loopback only, bounded in time (`--within` + 1.25 long
intervals: about 8 min at the defaults, plus loading the subscriptions).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import aiohttp
import sqlalchemy as sa
from aiohttp import web

from bench.reply_latency import percentile
from bot.launcher import ROOT, free_port, start_portal_simulator, stop
from bot.processes import spawn
from connectors.portal.simulator_synthetic import Synthetic, synthetic_code
from connectors.portal.watch_store import create_tables, make_engine, naive, subscriptions, watched
from connectors.portal.watcher_schedule import Schedule
from dossiers.model import VIETNAM, Status

OUT = ROOT / "results" / "bench" / "watcher.json"
DEFAULTS = (21_600.0, 3_600.0, 900.0)  # the watcher's intervals: far, soon, near (motcua/settings.py)


def populate(url: str, synthetic: Synthetic, schedule: Schedule, now: dt.datetime) -> None:
    """The subscriptions and their dossiers' first polls, spread over each one's interval."""
    engine = make_engine(url)
    create_tables(engine)
    rng = random.Random(5)  # noqa: S311 - spreading invented polls
    expires = naive(now + dt.timedelta(days=90))
    with engine.begin() as connection:
        for start in range(0, synthetic.count, 5000):
            subs, dossiers = [], []
            for i in range(start, min(start + 5000, synthetic.count)):
                code = synthetic_code(i)
                due = dt.datetime.combine(now.date() + dt.timedelta(days=synthetic.days[i]), dt.time(16), VIETNAM)
                interval = schedule.interval(due, Status.PROCESSING, now)
                subs.append({"sender_id": f"tg:{i}", "channel": "telegram", "code": code, "last_status": "PROCESSING",
                             "appointment": naive(due), "state": "active", "created_at": naive(now),
                             "expires_at": expires, "updated_at": naive(now)})  # fmt: skip
                first = now + dt.timedelta(seconds=rng.uniform(0, interval))
                dossiers.append({"code": code, "next_poll_at": naive(first), "failures": 0})
            connection.execute(subscriptions.insert(), subs)
            connection.execute(watched.insert(), dossiers)
        connection.exec_driver_sql("ANALYZE")
    engine.dispose()


class FakeRasa:
    """Rasa's `POST /conversations/{id}/tracker/events`: notes each notice's arrival."""

    def __init__(self) -> None:
        self.arrivals: List[Tuple[str, str, str, float]] = []  # conversation, kind, status, when

    async def events(self, request: web.Request) -> web.Response:
        for event in await request.json():
            mark = event.get("metadata", {}).get("motcua", {})
            self.arrivals.append((request.match_info["id"], mark.get("kind", ""), mark.get("status", ""), time.time()))
        return web.json_response({"events": []})

    async def start(self, port: int) -> web.AppRunner:
        app = web.Application()
        app.add_routes([web.post("/conversations/{id}/tracker/events", self.events)])
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner


def rss_kb(pid: int) -> Tuple[int, int]:
    """The process's resident set now and at its peak (kB)."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


async def observe(
    args: argparse.Namespace, env: Dict[str, str], sim_url: str, rasa: FakeRasa, log: Any
) -> Dict[str, Any]:
    process = spawn([sys.executable, "-m", "connectors.portal.watcher"], env, log)
    rss: List[int] = []
    started = time.time()
    run_for = args.within + 1.25 * DEFAULTS[0] / args.scale + 10  # the last change is seen within an interval
    peak = 0
    try:
        while time.time() - started < run_for:
            await asyncio.sleep(1.0)
            if process.poll() is not None:
                raise SystemExit(f"the watcher stopped (exit {process.returncode}); see {log.name}")
            now, peak = rss_kb(process.pid)
            rss.append(now)
            if len(rss) % 30 == 0:
                print(f"  {len(rss)} s: {len(rasa.arrivals)} notices, watcher RSS {now / 1024:.0f} MB", flush=True)
    finally:
        stop(process)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sim_url}/_sim/changes") as response:
            changes = (await response.json())["changes"]
        async with session.get(f"{sim_url}/_sim/stats") as response:
            stats = await response.json()
    return {"changes": changes, "stats": stats, "rss": rss, "peak": peak, "started": started, "ran": run_for}


TIERS = ("appointment later (6 h)", "within 3 days (1 h)", "today (15 min)")


def tier(days: int) -> str:
    return TIERS[2] if days == 0 else TIERS[1] if days <= 3 else TIERS[0]


def figures(args: argparse.Namespace, seen: Dict[str, Any], rasa: FakeRasa, synthetic: Synthetic) -> Dict[str, Any]:
    told: Dict[Tuple[str, str], List[float]] = {}
    for conversation, kind, status, when in rasa.arrivals:
        if kind == "status":
            told.setdefault((conversation, status), []).append(when)
    delays: List[float] = []
    by_tier: Dict[str, List[float]] = {name: [] for name in TIERS}
    missed = 0
    for change in seen["changes"]:
        index = _index(change["code"])
        key = (f"tg:{index}", Status(change["status_code"]).name)
        if key in told:
            delays.append(min(told[key]) - change["at"])
            by_tier[tier(synthetic.days[index])].append(delays[-1])
        else:
            missed += 1
    twice = sum(1 for times in told.values() if len(times) > 1)
    per_second = {int(k): v for k, v in seen["stats"]["per_second"].items()}
    steady = [v for k, v in per_second.items() if seen["started"] + 5 <= k <= seen["started"] + seen["ran"] - 2]
    warnings = Counter(kind for _, kind, _, _ in rasa.arrivals)["appointment_today"]
    return {
        "subscriptions": args.subscriptions, "scale": args.scale, "cap_rps": args.rps,
        "intervals_s": [round(d / args.scale, 1) for d in DEFAULTS],
        "changes": len(seen["changes"]), "notified": len(delays), "missed": missed, "notified_twice": twice,
        "detect_p50_s": round(percentile(delays, 0.5), 1) if delays else None,
        "detect_p95_s": round(percentile(delays, 0.95), 1) if delays else None,
        "detect_max_s": round(max(delays), 1) if delays else None,
        "by_tier": {name: {"n": len(d), "p50_s": round(percentile(d, 0.5), 1), "p95_s": round(percentile(d, 0.95), 1)}
                    for name, d in by_tier.items() if d},
        "rps_max": max(steady, default=0), "rps_mean": round(sum(steady) / len(steady), 1) if steady else 0,
        "requests": seen["stats"]["requests"], "appointment_warnings": warnings,
        "rss_peak_mb": round(seen["peak"] / 1024), "rss_end_mb": round(seen["rss"][-1] / 1024) if seen["rss"] else None,
    }  # fmt: skip


def _index(code: str) -> int:
    day, sequence = code.rsplit("-", 2)[-2:]
    return (int(day[-2:]) - 1) * 10_000 + int(sequence)


def report(found: Dict[str, Any]) -> None:
    scale = found["scale"]
    far, soon, near = found["intervals_s"]
    print(f"\nThe dossier watcher: {found['subscriptions']:,} subscriptions on PostgreSQL, the simulator's dossiers; "
          f"intervals {far:g} / {soon:g} / {near:g} s (6 h / 1 h / 15 min ÷ {scale:g}), "
          f"cap {found['cap_rps']:g} requests/s")  # fmt: skip
    print("| figure | bench | real time (x scale) |")
    print("|---|---|---|")
    for name, key in (("change → notice p50", "detect_p50_s"), ("change → notice p95", "detect_p95_s"),
                      ("change → notice max", "detect_max_s")):  # fmt: skip
        value = found[key]
        print(f"| {name} | {value} s | {value * scale / 60:.0f} min |" if value is not None else f"| {name} | - | - |")
    for name, found_tier in found["by_tier"].items():
        p50, p95 = found_tier["p50_s"], found_tier["p95_s"]
        print(f"| change → notice p50 / p95, {name}, n={found_tier['n']} | {p50} / {p95} s | "
              f"{p50 * scale / 60:.0f} / {p95 * scale / 60:.0f} min |")  # fmt: skip
    print(f"| changes notified / made | {found['notified']:,} / {found['changes']:,} (missed {found['missed']}, "
          f"twice {found['notified_twice']}) | |")  # fmt: skip
    print(f"| portal requests/s: busiest second, mean (cap {found['cap_rps']:g}) | {found['rps_max']}, "
          f"{found['rps_mean']} | {found['rps_mean'] / scale:.1f} /s mean |")  # fmt: skip
    print(f"| watcher memory (RSS): peak, end | {found['rss_peak_mb']} MB, {found['rss_end_mb']} MB | |")
    print(f"| appointment-day warnings | {found['appointment_warnings']:,} | |")


async def run(args: argparse.Namespace, url: str) -> Dict[str, Any]:
    scale = args.scale
    far, soon, near = (d / scale for d in DEFAULTS)
    today = dt.datetime.now(VIETNAM).date()
    synthetic = Synthetic(args.subscriptions, today, seed=args.seed, changes=args.changes, duration=args.within)
    started = time.perf_counter()
    populate(url, synthetic, Schedule(far=far, soon=soon, near=near, zone=VIETNAM), dt.datetime.now(VIETNAM))
    print(f"{args.subscriptions:,} subscriptions stored in {time.perf_counter() - started:.0f} s", flush=True)
    rasa, rasa_port, sim_port = FakeRasa(), free_port(), free_port()
    runner = await rasa.start(rasa_port)
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MOTCUA_TODAY", "RASA_JWT_SECRET_FILE")}
    sim_env = {**base, "MOTCUA_SIMULATOR_FAULTS": "1", "MOTCUA_SIMULATOR_TOKEN": ""}
    sim_args = ["--synthetic", str(args.subscriptions), "--synthetic-seed", str(args.seed),
                "--synthetic-changes", str(args.changes), "--synthetic-duration", str(args.within)]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, open(Path(tmp) / "watcher.log", "w") as log:
        with open(Path(tmp) / "simulator.log", "w") as sim_log:
            simulator = start_portal_simulator(sim_port, env=sim_env, args=sim_args, timeout=120, log=sim_log)
        sim_url = f"http://127.0.0.1:{sim_port}"
        env = {**base, "PORTAL_URL": sim_url, "DATABASE_URL": url, "RASA_URL": f"http://127.0.0.1:{rasa_port}",
               "WATCHER_PORTAL_RPS": str(args.rps), "MOTCUA_WATCHER_POLL_SECONDS": str(far),
               "MOTCUA_WATCHER_POLL_SOON_SECONDS": str(soon), "MOTCUA_WATCHER_POLL_NEAR_SECONDS": str(near),
               "MOTCUA_WATCHER_LEASE_SECONDS": "30", "LOG_LEVEL": "WARNING"}  # fmt: skip
        try:
            seen = await observe(args, env, sim_url, rasa, log)
        finally:
            stop(simulator)
            await runner.cleanup()
    return figures(args, seen, rasa, synthetic)


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--rps", type=float, default=500.0, help="the watcher's cap (WATCHER_PORTAL_RPS)")
    parser.add_argument("--scale", type=float, default=72.0, help="the default intervals are divided by this")
    parser.add_argument("--changes", type=float, default=0.03, help="share of the dossiers that move once")
    parser.add_argument("--within", type=float, default=120.0, help="seconds over which they move")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--url", default=os.environ.get("CONSOLE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
    )
    args = parser.parse_args(list(argv) or None)
    schema = f"bench_watcher_{uuid.uuid4().hex[:8]}"
    url = f"{args.url}?options=-csearch_path%3D{schema}"
    admin = sa.create_engine(args.url, future=True)
    with admin.begin() as connection:
        connection.execute(sa.text(f'create schema "{schema}"'))
    try:
        found = asyncio.run(run(args, url))
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()
    report(found)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(found, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
