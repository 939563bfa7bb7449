"""`python -m console`: accounts from the command line (the password never an argument, never
printed), the database upgrade, serving; a refusal is one line and exit status 2."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from console.__main__ import main
from console.accounts import Accounts, LoginOutcome
from console.db import make_engine
from console.migrate import current, head
from console.settings import get_console_settings

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "mật khẩu dài 2026"


@pytest.fixture
def console_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CONSOLE_SECRET_FILE", str(tmp_path / "console_secret"))
    monkeypatch.delenv("CONSOLE_SECRET", raising=False)
    get_console_settings.cache_clear()
    yield db_url
    get_console_settings.cache_clear()


def run(argv: List[str], stdin: str = "", prompt_answers: Tuple[str, ...] = ()) -> Tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    answers = iter(prompt_answers)
    status = main(argv, out=out, err=err, stdin=io.StringIO(stdin), prompt=lambda _question: next(answers))
    return status, out.getvalue(), err.getvalue()


def verify(db_url: str, name: str, password: str) -> LoginOutcome:
    engine = make_engine(db_url)
    try:
        return Accounts(engine).verify(name, password).outcome
    finally:
        engine.dispose()


def test_users_add_reads_the_password_from_stdin(console_env: str) -> None:
    status, out, err = run(["users", "add", "Lan", "--role", "helper", "--password-stdin"], stdin=PASSWORD + "\n")
    assert (status, err) == (0, "")
    assert out.strip() == "Đã tạo tài khoản lan (vai trò helper)."
    assert verify(console_env, "lan", PASSWORD) is LoginOutcome.OK
    assert current(console_env) == head()  # the database was migrated first


def test_users_add_asks_twice_without_echo(console_env: str) -> None:
    status, _, _ = run(["users", "add", "anh", "--role", "admin"], prompt_answers=(PASSWORD, PASSWORD))
    assert status == 0 and verify(console_env, "anh", PASSWORD) is LoginOutcome.OK
    status, _, err = run(["users", "add", "binh", "--role", "admin"], prompt_answers=(PASSWORD, "khác hẳn rồi"))
    assert status == 2 and err == "error: the two passwords differ\n"


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["users", "add", "lan", "--role", "helper", "--password-stdin"], "ngan-qua\n", "at least 10 characters"),
        (
            ["users", "add", "lan", "--role", "boss", "--password-stdin"],
            PASSWORD,
            "role must be one or more of: helper, admin, reviewer",
        ),
        (["users", "add", "l n", "--role", "helper", "--password-stdin"], PASSWORD, "a user name is 3–64"),
        (["users", "disable", "khong-co-ai"], "", "no user has that name"),
        (["users", "unlock", "khong-co-ai"], "", "no user has that name"),
    ],
)
def test_a_refusal_is_one_line_and_status_2(console_env: str, argv: List[str], stdin: str, message: str) -> None:
    status, out, err = run(argv, stdin=stdin)
    assert status == 2 and out == ""
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert "ngan-qua" not in err and PASSWORD not in err


def test_a_name_is_added_once(console_env: str) -> None:
    assert run(["users", "add", "lan", "--role", "helper", "--password-stdin"], stdin=PASSWORD)[0] == 0
    status, _, err = run(["users", "add", "LAN", "--role", "admin", "--password-stdin"], stdin=PASSWORD)
    assert status == 2 and "exists already" in err


def test_users_are_listed_disabled_and_unlocked(console_env: str) -> None:
    run(["users", "add", "lan", "--role", "helper", "--password-stdin"], stdin=PASSWORD)
    run(["users", "add", "anh", "--role", "admin", "--password-stdin"], stdin=PASSWORD)
    for _ in range(5):
        verify(console_env, "lan", "sai-mat-khau-1")
    assert run(["users", "list"])[1] == "anh\tadmin\tactive\taway\nlan\thelper\tlocked\taway\n"
    assert run(["users", "unlock", "lan"])[1] == "Đã mở khoá tài khoản lan.\n"
    assert verify(console_env, "lan", PASSWORD) is LoginOutcome.OK
    assert run(["users", "disable", "lan"])[1] == "Đã vô hiệu hoá tài khoản lan.\n"
    assert verify(console_env, "lan", PASSWORD) is LoginOutcome.DISABLED
    assert "lan\thelper\tdisabled\taway" in run(["users", "list"])[1]


def test_db_upgrade_says_the_revision(console_env: str) -> None:
    status, out, _ = run(["db", "upgrade"])
    assert status == 0 and out == f"Database at revision {head()}.\n"
    assert run(["db", "upgrade"])[0] == 0


def child_env(tmp_path: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSOLE_")}
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{tmp_path / 'console.db'}",
        CONSOLE_SECRET_FILE=str(tmp_path / "console_secret"),
    )
    env.update(extra)
    return env


@pytest.mark.parametrize(
    ("argv", "extra_env", "message"),
    [
        (["users", "add", "lan", "--role", "boss", "--password-stdin"], {}, "error: role must be one or more of"),
        (["db", "upgrade"], {"CONSOLE_PORT": "70000"}, "error: CONSOLE_PORT: ensure this value"),
        (["db", "upgrade"], {"DATABASE_URL": "mysql://db/console"}, "error: DATABASE_URL: must be"),
    ],
)
def test_the_command_refuses_without_a_traceback(
    tmp_path: Path, argv: List[str], extra_env: dict, message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "console", *argv],
        env=child_env(tmp_path, **extra_env),
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_migrates_then_serves_and_says_where(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "console", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=child_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline() == f"Console: http://127.0.0.1:{port}/\n"
        body = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as response:
                    body = json.loads(response.read())
                break
            except OSError:  # not listening yet
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        if body is None:
            server.terminate()
            pytest.fail(f"the console did not answer /health; its stderr:\n{server.communicate(timeout=10)[1][-3000:]}")
        assert body == {"status": "ok", "database": "ok"}
        assert current(f"sqlite:///{tmp_path / 'console.db'}") == head()
    finally:
        server.terminate()
        server.wait(timeout=10)
        for stream in (server.stdout, server.stderr):
            if stream is not None:
                stream.close()
