"""Zalo Official Account channel: see channel.py.

`ZaloInput` is imported when first named (Rasa names `connectors.zalo.ZaloInput`), so a process that
only needs the tokens or the client (the dossier watcher's ZNS messages) does not load Rasa.
"""

from typing import Any

__all__ = ["ZaloInput"]


def __getattr__(name: str) -> Any:
    if name == "ZaloInput":
        from connectors.zalo.channel import ZaloInput

        return ZaloInput
    raise AttributeError(f"module 'connectors.zalo' has no attribute {name!r}")
