"""A portal that speaks the dossier contract, for demos and tests: `python -m connectors.portal.simulator`.

GET  /dossiers/{code}   200 the dossier | 404 {"error": "not_found"} | 401 without the token (if set);
                        every answer carries `X-Portal-Simulator: 1` (the data is invented)
GET  /health            200 {"status": "ok"}
POST /_sim/faults       {"mode": "500"|"429"|"timeout"|"malformed"|null, "latency_ms": 0, "times": N}
                        makes the next N answers (all, without "times") fail that way
GET  /_sim/stats        {"requests": n}: how many dossier requests arrived (tests count retries)

`/_sim/*` lets anyone who reaches it slow down or break lookups, so the command line serves it only
with MOTCUA_SIMULATOR_FAULTS=1 (404 otherwise), and then, if MOTCUA_SIMULATOR_TOKEN is set, only
to `Authorization: Bearer <MOTCUA_SIMULATOR_TOKEN>` (401 otherwise).

Dossiers come from connectors/portal/fixtures/dossiers.yml, with dates relative to the
simulator's today (`--today`, or MOTCUA_TODAY, or the real date in Asia/Ho_Chi_Minh).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hmac
import json
import logging
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from aiohttp import web

from connectors import logs
from dossiers.model import VIETNAM
from motcua.settings import get_settings

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "dossiers.yml"
DATE_FIELDS = ("received_at", "appointment_at", "completed_at", "returned_at")
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

    def today(self) -> dt.date:
        return self.fixed_today or dt.datetime.now(VIETNAM).date()

    def record(self, code: str) -> Dict[str, Any]:
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
        if code not in self.dossiers:
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
        return web.json_response({"requests": self.requests})

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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logs.level_from_env(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logs.install()
    simulator = Simulator(
        load_fixtures(args.fixtures),
        today=args.today or settings.today,
        token=args.token,
        latency_ms=args.latency_ms,
        faults_api=settings.simulator_faults,
        faults_token=settings.simulator_token.get_secret_value() if settings.simulator_token else None,
    )
    simulator.mode = args.fault
    log.info(
        "portal simulator on http://%s:%d with %d dossiers (invented data); /_sim/* %s",
        args.host,
        args.port,
        len(simulator.dossiers),
        ("on, token required" if simulator.faults_token else "on") if simulator.faults_api else "off",
    )
    web.run_app(simulator.app(), host=args.host, port=args.port, print=None, handle_signals=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
