"""A portal that speaks the dossier contract, for demos and tests: `python -m connectors.portal.simulator`.

GET  /dossiers/{code}   200 the dossier | 404 {"error": "not_found"} | 401 without the token (if set);
                        every answer carries `X-Portal-Simulator: 1` (the data is invented)
GET  /health            200 {"status": "ok"}
POST /_sim/faults       {"mode": "500"|"429"|"timeout"|"malformed"|null, "latency_ms": 0, "times": N}
                        makes the next N answers (all, without "times") fail that way
GET  /_sim/stats        {"requests": n, "per_second": {"<epoch second>": n}}: dossier requests that
                        arrived (tests count retries; the watcher's benchmark checks its rate; last hour)
POST /_sim/dossiers/{code}   {"status_code": 1-10, "appointment_at", "note", …}: the dossier changes
                        (the watcher's tests); DELETE: it is gone (404 from then on)
GET  /_sim/changes      {"changes": [{"code", "status_code", "at" (epoch s)}]}: changes made so far

`/_sim/*` lets anyone who reaches it slow down or break lookups, so the command line serves it only
with MOTCUA_SIMULATOR_FAULTS=1 (404 otherwise), and then, if MOTCUA_SIMULATOR_TOKEN is set, only
to `Authorization: Bearer <MOTCUA_SIMULATOR_TOKEN>` (401 otherwise).

Dossiers come from connectors/portal/fixtures/dossiers.yml, with dates relative to the
simulator's today (`--today`, or MOTCUA_TODAY, or the real date in Asia/Ho_Chi_Minh); with
`--synthetic N`, also N invented dossiers whose statuses move on a schedule
(connectors/portal/simulator_synthetic.py, for the watcher's benchmark).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hmac
import json
import logging
import re
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from aiohttp import web

from connectors import logs
from connectors.portal.simulator_synthetic import Synthetic
from dossiers.model import VIETNAM
from motcua.settings import get_settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "dossiers.yml"
DATE_FIELDS = ("received_at", "appointment_at", "completed_at", "returned_at")
# What POST /_sim/dossiers/{code} may change.
CHANGEABLE = ("status_code", "status_text", "note", *DATE_FIELDS)
PER_SECOND_KEPT = 3600
FAULTS = ("500", "429", "timeout", "malformed")
_RELATIVE = re.compile(r"^([+-])(\d+)d(?: (\d{1,2}):(\d{2}))?$")
SIMULATOR_HEADER = "X-Portal-Simulator"  # on every dossier answer: the portal client marks the data as simulated

log = logging.getLogger(__name__)


def resolve_date(value: Any, today: dt.date) -> Optional[str]:
    """ "-12d 08:30" -> ISO 8601 with +07:00, 12 days before `today`; ISO strings pass through."""
    if value is None:
        return None
    text = str(value).strip()
    found = _RELATIVE.match(text)
    if not found:
        return text
    sign, days, hour, minute = found.groups()
    day = today + dt.timedelta(days=int(days) * (1 if sign == "+" else -1))
    moment = dt.datetime.combine(day, dt.time(int(hour or 8), int(minute or 0)), VIETNAM)
    return moment.isoformat()


def load_fixtures(path: Path = FIXTURES) -> Dict[str, Dict[str, Any]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {str(item["code"]): item for item in data["dossiers"]}


class Simulator:
    def __init__(
        self,
        dossiers: Dict[str, Dict[str, Any]],
        today: Optional[dt.date] = None,
        token: Optional[str] = None,
        latency_ms: int = 0,
        faults_api: bool = True,
        faults_token: Optional[str] = None,
        synthetic: Optional[Synthetic] = None,
    ):
        """`faults_api`: serve /_sim/* (in-process tests switch faults by attribute or over HTTP;
        the command line turns it off unless MOTCUA_SIMULATOR_FAULTS=1); `faults_token`: require
        it as a Bearer token there."""
        self.dossiers = dossiers
        self.fixed_today = today
        self.token = token
        self.latency_ms = latency_ms
        self.faults_api = faults_api
        self.faults_token = faults_token
        self.mode: Optional[str] = None
        self.times: Optional[int] = None  # None: every request
        self.requests = 0
        self.per_second: Dict[int, int] = {}  # epoch second -> dossier requests (the last hour)
        self.synthetic = synthetic
        self.changes: List[Dict[str, Any]] = []  # made through /_sim/dossiers

    def today(self) -> dt.date:
        return self.fixed_today or dt.datetime.now(VIETNAM).date()

    def knows(self, code: str) -> bool:
        return code in self.dossiers or (self.synthetic is not None and self.synthetic.index(code) is not None)

    def record(self, code: str) -> Dict[str, Any]:
        if code not in self.dossiers and self.synthetic is not None:
            made = self.synthetic.record(code)
            if made is not None:
                return made
        item = {k: v for k, v in self.dossiers[code].items() if k != "fault"}
        for name in DATE_FIELDS:
            item[name] = resolve_date(item.get(name), self.today())
        item.setdefault("status_text", None)
        item.setdefault("note", None)
        return item

    def _take_fault(self) -> Optional[str]:
        if self.mode is None:
            return None
        mode = self.mode
        if self.times is not None:
            self.times -= 1
            if self.times <= 0:
                self.mode, self.times = None, None
        return mode

    async def dossier(self, request: web.Request) -> web.StreamResponse:
        answer = await self._dossier(request)
        answer.headers[SIMULATOR_HEADER] = "1"
        return answer

    async def _dossier(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        second = int(time.time())
        self.per_second[second] = self.per_second.get(second, 0) + 1
        while len(self.per_second) > PER_SECOND_KEPT:
            del self.per_second[next(iter(self.per_second))]
        if self.token and request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": "unauthorized"}, status=401)
        if self.latency_ms:
            await asyncio.sleep(self.latency_ms / 1000)
        code = request.match_info["code"]
        fault = self._take_fault() or (self.dossiers.get(code) or {}).get("fault")
        if fault == "500":
            return web.json_response({"error": "internal"}, status=500)
        if fault == "429":
            return web.json_response({"error": "rate_limited"}, status=429, headers={"Retry-After": "30"})
        if fault == "timeout":
            await asyncio.sleep(60)
            return web.json_response({"error": "too late"}, status=504)
        if fault == "malformed":
            return web.Response(text='{"code": "' + code + '", "status_code": 4,', content_type="application/json")
        if not self.knows(code):
            return web.json_response({"error": "not_found"}, status=404)
        return web.json_response(self.record(code), dumps=lambda o: json.dumps(o, ensure_ascii=False))

    @web.middleware
    async def guard_faults_api(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith("/_sim/"):
            if not self.faults_api:
                return web.json_response({"error": "not_found"}, status=404)
            if self.faults_token:
                scheme, _, given = request.headers.get("Authorization", "").partition(" ")
                if scheme.lower() != "bearer" or not hmac.compare_digest(
                    given.strip().encode("utf-8"), self.faults_token.encode("utf-8")
                ):
                    return web.json_response({"error": "unauthorized"}, status=401)
        return await handler(request)

    async def set_faults(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            mode = body.get("mode")
            if mode is not None and str(mode) not in FAULTS:
                raise ValueError(f"mode must be one of {FAULTS} or null")
            self.mode = None if mode is None else str(mode)
            self.times = int(body["times"]) if body.get("times") is not None else None
            self.latency_ms = int(body.get("latency_ms", self.latency_ms))
        except (ValueError, TypeError, AttributeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response({"mode": self.mode, "times": self.times, "latency_ms": self.latency_ms})

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response({"requests": self.requests, "per_second": self.per_second})

    async def change_dossier(self, request: web.Request) -> web.Response:
        """A dossier moves (or is gone, DELETE): what the watcher must notice."""
        code = request.match_info["code"]
        if not self.knows(code):
            return web.json_response({"error": "not_found"}, status=404)
        if request.method == "DELETE":
            self.dossiers.pop(code, None)
            if self.synthetic is not None and self.synthetic.index(code) is not None:
                self.synthetic.removed.add(self.synthetic.index(code))
            return web.json_response({"code": code, "deleted": True})
        try:
            body = await request.json()
            if not isinstance(body, dict) or not body or set(body) - set(CHANGEABLE):
                raise ValueError(f"send a JSON object with some of {CHANGEABLE}")
            if "status_code" in body and int(body["status_code"]) not in range(1, 11):
                raise ValueError("status_code must be within 1..10")
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            return web.json_response({"error": str(exc)}, status=400)
        record = {**self.record(code), **body}
        self.dossiers[code] = record
        change = {"code": code, "status_code": record["status_code"], "at": time.time()}
        self.changes.append(change)
        return web.json_response(change)

    async def list_changes(self, request: web.Request) -> web.Response:
        made = self.synthetic.changes() if self.synthetic is not None else []
        return web.json_response({"changes": sorted(made + self.changes, key=lambda c: c["at"])})

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard_faults_api])
        app.add_routes(
            [
                web.get("/dossiers/{code:.+}", self.dossier),
                web.get("/health", self.health),
                web.post("/_sim/faults", self.set_faults),
                web.get("/_sim/stats", self.stats),
                web.post("/_sim/dossiers/{code:.+}", self.change_dossier),
                web.delete("/_sim/dossiers/{code:.+}", self.change_dossier),
                web.get("/_sim/changes", self.list_changes),
            ]
        )
        return app


def demo_codes(dossiers: Dict[str, Dict[str, Any]]) -> List[str]:
    return [code for code, item in dossiers.items() if "fault" not in item]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8085)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="YYYY-MM-DD (default: MOTCUA_TODAY)")
    settings = get_settings()
    token = settings.portal_token.get_secret_value() if settings.portal_token else None
    parser.add_argument("--token", default=token, help="require this Bearer token (default: PORTAL_TOKEN)")
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--fault", choices=FAULTS, default=None, help="answer every request this way")
    parser.add_argument("--synthetic", type=int, default=0, metavar="N", help="also serve N invented dossiers")
    parser.add_argument("--synthetic-seed", type=int, default=1)
    parser.add_argument("--synthetic-changes", type=float, default=0.03, help="share of them that move once")
    parser.add_argument("--synthetic-duration", type=float, default=300.0, help="within this many seconds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logs.level_from_env(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logs.install()
    today = args.today or settings.today
    synthetic = None
    if args.synthetic:
        synthetic = Synthetic(
            args.synthetic,
            today or dt.datetime.now(VIETNAM).date(),
            seed=args.synthetic_seed,
            duration=args.synthetic_duration,
            changes=args.synthetic_changes,
        )
    simulator = Simulator(
        load_fixtures(args.fixtures),
        today=today,
        token=args.token,
        latency_ms=args.latency_ms,
        faults_api=settings.simulator_faults,
        faults_token=settings.simulator_token.get_secret_value() if settings.simulator_token else None,
        synthetic=synthetic,
    )
    simulator.mode = args.fault
    log.info(
        "portal simulator on http://%s:%d with %d dossiers (invented data); /_sim/* %s",
        args.host,
        args.port,
        len(simulator.dossiers) + (synthetic.count if synthetic else 0),
        ("on, token required" if simulator.faults_token else "on") if simulator.faults_api else "off",
    )
    web.run_app(simulator.app(), host=args.host, port=args.port, print=None, handle_signals=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
