"""How the launcher links the assistant and the helper console (the human handoff).

Three processes share two secrets, each made once and kept in `var/` with mode 0600 unless the
operator gives them:
- `RASA_JWT_SECRET_FILE`: the HS256 secret of the Rasa HTTP API's JWTs. The Rasa server is started
  with `--enable-api --jwt-secret <that file> --jwt-method HS256` (sanic-jwt reads a secret given as
  a file path from the file, so it never appears on a command line); the console signs its calls
  with it. Rasa's `--auth-token` is never used: it would travel in URLs.
- `CONSOLE_INTERNAL_TOKEN`: what the action server (a citizen asks for a person) and the Rasa
  server (a paused conversation's messages) show the console's internal API.

The web chat's session secret is kept there too (`web_chat_env`): `make run` turns the web chat on
with it unless the operator set `MOTCUA_WEB_SESSION_SECRET` (which every replica on other machines
must then share).

`MOTCUA_CONSOLE=off` runs the assistant without the console (the citizen is then given the hotline,
as before). The Rasa server listens on 127.0.0.1 (RASA_HOST): its API is never public; a reverse
proxy in front passes only /webhooks/ (README, "Security").
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Dict, List, Optional

from bot.rasa_config import child_env, settings_for
from motcua.atomic_file import atomic_write

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
JWT_SECRET_FILE = VAR / "rasa_jwt_secret"
INTERNAL_TOKEN_FILE = VAR / "console_internal_token"
WEB_SESSION_SECRET_FILE = VAR / "web_session_secret"
WEB_SESSION_SECRET = "MOTCUA_WEB_SESSION_SECRET"  # noqa: S105 (the variable's name)
DEFAULT_CONSOLE_PORT = 8090


def console_enabled(env: Optional[Dict[str, str]] = None) -> bool:
    return settings_for(env).console


def _kept_secret(path: Path) -> str:
    """The secret in `path`, made (48 random bytes, url-safe) with mode 0600 when missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, secrets.token_urlsafe(48).encode(), mode=0o600)
    return path.read_text(encoding="utf-8").strip()


def link_env(console_port: int = DEFAULT_CONSOLE_PORT, rasa_port: int = 5005, var: Path = VAR) -> Dict[str, str]:
    """The variables every process of the assistant and the console get, from the operator's
    settings where set, else from secrets kept in `var`."""
    settings = settings_for()
    jwt_file = settings.rasa_jwt_secret_file
    if jwt_file is None:
        jwt_file = var / JWT_SECRET_FILE.name
        _kept_secret(jwt_file)
    token = settings.console_internal_token
    return {
        "RASA_JWT_SECRET_FILE": str(jwt_file),
        "CONSOLE_INTERNAL_TOKEN": token.get_secret_value() if token else _kept_secret(var / INTERNAL_TOKEN_FILE.name),
        "CONSOLE_URL": settings.console_url or f"http://127.0.0.1:{console_port}",
        "CONSOLE_PORT": str(console_port),
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
    }


def api_arguments(jwt_secret_file: Optional[str]) -> List[str]:
    """Rasa's command-line arguments that turn its HTTP API on, for the console, behind JWTs."""
    if not jwt_secret_file:
        return []
    return ["--enable-api", "--jwt-secret", jwt_secret_file, "--jwt-method", "HS256"]


def web_chat_env(var: Path = VAR, env: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """The web chat's session secret for the Rasa servers: nothing to add when the operator set
    MOTCUA_WEB_SESSION_SECRET, else the one kept in `var` (made once, mode 0600): the web chat is
    on with `make run`, and its sessions outlive a restart."""
    if child_env(env).get(WEB_SESSION_SECRET):
        return {}
    return {WEB_SESSION_SECRET: _kept_secret(var / WEB_SESSION_SECRET_FILE.name)}
