"""The action server as the launcher starts it: loopback only, the token when one is set, and no
request body over its cap."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import pytest

from bot.launcher import ROOT, child_env, free_port, start_action_server, stop

TOKEN = "action-token-0123456789"


def request(url: str, method: str = "GET", body: Optional[bytes] = None) -> Tuple[int, bytes]:
    call = urllib.request.Request(url, data=body, method=method)  # noqa: S310 (loopback)
    call.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(call, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def status_of_a_large_body(host: str, port: int, path: str, size: int, headers: Optional[Dict[str, str]] = None) -> int:
    """POST `size` bytes to `path` and return the HTTP status the server answers with. A server
    that caps bodies may answer as soon as it has read the Content-Length, so the body is sent
    only as far as the server takes it."""
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    with socket.create_connection((host, port), timeout=30) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n{extra}"
            f"Content-Length: {size}\r\nConnection: close\r\n\r\n"
        )
        sock.sendall(head.encode("ascii"))
        sock.settimeout(0.5)
        answer = b""
        try:
            answer = sock.recv(4096)  # a capped server has answered already
        except socket.timeout:
            pass
        sock.settimeout(30)
        if not answer:
            try:
                chunk = b" " * 65536
                for _ in range(size // len(chunk) + 1):
                    sock.sendall(chunk)
            except OSError:
                pass
            answer = sock.recv(4096)
    return int(answer.split(b" ", 2)[1])


def listening_addresses(port: int) -> List[str]:
    """The local IPv4 and IPv6 addresses a socket listens on at `port` (from /proc/net/tcp*)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="ascii") as rows:
                lines = rows.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                if len(address) == 8:
                    found.append(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
                else:
                    found.append(address)
    return found


def outside_address() -> Optional[str]:
    """This machine's address on its network, if it has one (no packet is sent)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))
            address = str(sock.getsockname()[0])
        except OSError:
            return None
    return None if address.startswith("127.") else address


@pytest.fixture(scope="module")
def with_token() -> Iterator[int]:
    port = free_port()
    process = start_action_server(port, env={"ACTION_SERVER_TOKEN": TOKEN})
    try:
        yield port
    finally:
        stop(process)


def test_without_the_token_nothing_but_health_answers(with_token: int) -> None:
    base = f"http://127.0.0.1:{with_token}"
    call = json.dumps({"next_action": "action_listen", "sender_id": "x", "tracker": {}}).encode()
    assert request(f"{base}/webhook", "POST", call)[0] == 401
    assert request(f"{base}/webhook?token=wrong", "POST", call)[0] == 401
    assert request(f"{base}/actions")[0] == 401
    assert request(f"{base}/health")[0] == 200
    status, body = request(f"{base}/actions?token={TOKEN}")
    assert status == 200 and {"name": "action_check_dossier_status"} in json.loads(body)


def test_a_body_over_the_cap_gets_413(with_token: int) -> None:
    assert status_of_a_large_body("127.0.0.1", with_token, f"/webhook?token={TOKEN}", 2_000_000) == 413


def test_by_default_it_listens_on_loopback_only() -> None:
    port = free_port()
    process = start_action_server(port, env={"ACTION_SERVER_TOKEN": "", "ACTION_SERVER_HOST": ""})
    try:
        assert listening_addresses(port) == ["127.0.0.1"]
        outside = outside_address()
        if outside is not None:
            with socket.socket() as sock:
                sock.settimeout(2)
                assert sock.connect_ex((outside, port)) != 0, f"reachable on {outside}"
    finally:
        stop(process)


def test_it_refuses_to_listen_beyond_loopback_without_a_token() -> None:
    env = child_env({"ACTION_SERVER_TOKEN": "", "ACTION_SERVER_HOST": "0.0.0.0"})  # noqa: S104 (refused)
    done = subprocess.run(
        [sys.executable, "-m", "bot.action_server", "--port", str(free_port())],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert "ACTION_SERVER_TOKEN" in done.stderr and "0.0.0.0" in done.stderr  # noqa: S104


def test_exposure_rules() -> None:
    from bot.action_server import ActionServerConfigError, check_exposure

    check_exposure("127.0.0.1", None)
    check_exposure("localhost", None)
    check_exposure("::1", None)
    check_exposure("0.0.0.0", TOKEN)  # noqa: S104
    for host in ("0.0.0.0", "192.0.2.10", "::", "example.org"):  # noqa: S104
        with pytest.raises(ActionServerConfigError):
            check_exposure(host, None)


def test_the_knowledge_base_is_loaded_as_the_server_starts(tmp_path: Path) -> None:
    """The first citizen's message does not wait for the catalogue's cold load: the KB is loaded
    when the server starts, before any action is asked for."""
    port = free_port()
    log_path = tmp_path / "action-server.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = start_action_server(port, log=log)
        try:
            deadline = time.monotonic() + 60
            while "Knowledge base loaded" not in log_path.read_text(encoding="utf-8"):
                assert time.monotonic() < deadline, log_path.read_text(encoding="utf-8")[-2000:]
                time.sleep(0.2)
        finally:
            stop(process)
