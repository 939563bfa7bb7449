"""Telegram channel (python-telegram-bot 21): see channel.py."""

from connectors.telegram.channel import TelegramInput

__all__ = ["TelegramInput"]
