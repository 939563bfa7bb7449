"""Zalo Official Account channel: see channel.py."""

from connectors.zalo.channel import ZaloInput

__all__ = ["ZaloInput"]
