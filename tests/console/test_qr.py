"""Deep links that open the assistant at a procedure, and QR codes that scan back to them."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
import zxingcpp
from PIL import Image

from connectors.telegram.channel import start_payload
from console.qr import (
    START_PARAMETER,
    deep_links,
    qr_png,
    qr_svg,
    start_parameter,
    telegram_link,
    zalo_link,
)
from procedures_kb.loader import load_records


def decode(png: bytes) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_telegram_link_opens_the_procedure() -> None:
    assert telegram_link("motcua_bot", "khai-sinh") == "https://t.me/motcua_bot?start=khai-sinh"
    assert telegram_link("@motcua_bot", "tthc-1-000005") == "https://t.me/motcua_bot?start=tthc-1-000005"
    assert telegram_link("motcua_bot") == "https://t.me/motcua_bot"


def test_start_parameter_is_the_id_when_telegram_allows_it_and_nothing_otherwise() -> None:
    assert start_parameter("can-cuoc") == "can-cuoc"
    assert start_parameter("a" * 64) == "a" * 64
    assert start_parameter("a" * 65) is None  # too long for Telegram: the link opens the bot alone
    assert start_parameter("căn-cước") is None
    assert telegram_link("motcua_bot", "a" * 65) == "https://t.me/motcua_bot"


def test_every_procedure_id_of_the_knowledge_base_fits_and_the_bot_reads_it_back() -> None:
    records = load_records()
    for procedure_id in records:
        parameter = start_parameter(procedure_id)
        assert parameter == procedure_id and START_PARAMETER.match(parameter)
        # What Telegram sends the bot for the deep link opens that very procedure.
        assert start_payload(f"/start {parameter}") == '/ask_procedure{"procedure": "' + procedure_id + '"}'


def test_zalo_link_is_the_official_accounts_alone() -> None:
    assert zalo_link("1234567890123456789") == "https://zalo.me/1234567890123456789"
    with pytest.raises(ValueError):
        zalo_link("abc?x=1")


def test_a_bad_bot_username_is_refused() -> None:
    with pytest.raises(ValueError):
        telegram_link("no", "khai-sinh")
    with pytest.raises(ValueError):
        telegram_link("bot/../x", "khai-sinh")


def test_qr_code_decodes_back_to_the_link() -> None:
    link = telegram_link("motcua_bot", "khai-sinh")
    assert decode(qr_png(link)) == [link]
    zalo = zalo_link("1234567890123456789")
    assert decode(qr_png(zalo)) == [zalo]


def test_qr_svg_is_inline_scalable_and_titled() -> None:
    link = telegram_link("motcua_bot", "khai-sinh")
    svg = qr_svg(link)
    root = ET.fromstring(svg)  # noqa: S314 (our own SVG): well-formed, no XML declaration
    assert root.tag.endswith("svg") and root.get("viewBox") and root.get("width") is None
    assert root.get("class") == "qr"
    assert root.find("{*}title") is not None or root.find("title") is not None
    assert link in svg


def test_deep_links_follow_the_settings() -> None:
    assert deep_links("khai-sinh", None, None) == []
    both = deep_links("khai-sinh", "motcua_bot", "1234567890123456789")
    assert [(link.channel, link.url, link.opens_procedure) for link in both] == [
        ("Telegram", "https://t.me/motcua_bot?start=khai-sinh", True),
        ("Zalo", "https://zalo.me/1234567890123456789", False),
    ]
    assert all(link.svg.startswith("<svg") for link in both)
