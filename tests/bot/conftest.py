from __future__ import annotations

from typing import Iterator

import pytest


@pytest.fixture
def rasa_as_shipped() -> Iterator[None]:
    """Rasa's classes as they were before the test, whatever `bot.server.install()` did in it."""
    from bot import server

    missing = object()
    before = [(owner, name, owner.__dict__.get(name, missing)) for owner, name, _ in server.PATCHES]
    yield
    for owner, name, original in before:
        if original is missing:
            if name in owner.__dict__:
                delattr(owner, name)
        else:
            setattr(owner, name, original)
