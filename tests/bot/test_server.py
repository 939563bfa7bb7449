"""`python -m bot.server`: Rasa's command line, started with the patches of bot/rasa_patches.py, a
request size cap and cleaned logs."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

from bot import rasa_patches, server
from bot.launcher import ROOT, child_env


def test_main_installs_the_patches_then_runs_rasas_command_line(
    rasa_as_shipped: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rasa.__main__

    seen: dict = {}

    def rasa_main() -> None:
        seen["argv0"] = sys.argv[0]
        seen["validator"] = RemoteAction._validate_action_result
        seen["lookup"] = Event.__dict__["resolve_by_type"]
        seen["max size"] = os.environ.get("SANIC_REQUEST_MAX_SIZE")

    monkeypatch.setattr(rasa.__main__, "main", rasa_main)
    monkeypatch.delenv("SANIC_REQUEST_MAX_SIZE", raising=False)
    monkeypatch.setattr(sys, "argv", ["bot/server.py", "run"])
    server.main()
    assert seen["argv0"] == "rasa"
    assert seen["validator"] is rasa_patches._validate_action_result
    assert seen["lookup"].__func__ is rasa_patches._resolve_event_type
    assert seen["max size"] == str(server.REQUEST_MAX_SIZE)


def test_the_command_line_is_rasas() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.server", "shell", "--help"],
        cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "--credentials" in done.stdout and "--endpoints" in done.stdout  # what make chat passes
