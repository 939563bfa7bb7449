"""Reviewed NLU examples: which intents exist (from the bot's domain file, read as YAML: the console
never imports `bot`), what an example may be, and how an approved one is added to
`intents/reviewed.yml` (Rasa NLU YAML, written atomically). It counts after the next `make train`.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any, Dict, List

import yaml

from console.kb_review import messages as msg
from console.kb_review.errors import ReasonRequired
from motcua.atomic_file import atomic_write
from procedures_kb.kb_files import locked

ROOT = Path(__file__).resolve().parent.parent.parent
DOMAIN_FILE = ROOT / "bot" / "domain.yml"
NLU_FILE = ROOT / "intents" / "reviewed.yml"
MAX_EXAMPLE = 300
HEADER = "# Examples approved in the console's KB review (one block per intent); used by the next `make train`.\n"


def domain_intents(domain_file: Path = DOMAIN_FILE) -> List[str]:
    """The intents of the domain's `intents:` list (names, or one-key mappings with options)."""
    data = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    names: List[str] = []
    for item in data.get("intents") or []:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and len(item) == 1:
            names.append(str(next(iter(item))))
    return names


def clean_example(intent: str, text: str, intents: List[str]) -> str:
    """The example as stored (NFC, spaces collapsed); ReasonRequired with the Vietnamese reason."""
    if intent not in intents:
        raise ReasonRequired(msg.NLU_BAD_INTENT.format(intent=intent))
    cleaned = " ".join(unicodedata.normalize("NFC", text).split())
    if not cleaned or len(cleaned) > MAX_EXAMPLE or "\n" in text.strip():
        raise ReasonRequired(msg.NLU_BAD_TEXT.format(limit=MAX_EXAMPLE))
    return cleaned


def _blocks(path: Path) -> Dict[str, List[str]]:
    """{intent: examples} of an existing file, in its order."""
    if not path.is_file():
        return {}
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    blocks: Dict[str, List[str]] = {}
    for item in data.get("nlu") or []:
        if isinstance(item, dict) and "intent" in item:
            lines = str(item.get("examples") or "").splitlines()
            examples = [line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")]
            blocks.setdefault(str(item["intent"]), []).extend(examples)
    return blocks


def _text(blocks: Dict[str, List[str]]) -> str:
    parts = [HEADER, 'version: "3.1"\n', "nlu:\n"]
    for intent, examples in blocks.items():
        parts.append(f"  - intent: {intent}\n    examples: |\n")
        parts.extend(f"      - {example}\n" for example in examples)
    return "".join(parts)


def append_example(path: Path, intent: str, text: str) -> bool:
    """Add one example under its intent (the block made when missing); False if it is there already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path.parent):  # two approvals at once must not lose one of the examples
        blocks = _blocks(path)
        examples = blocks.setdefault(intent, [])
        if text in examples:
            return False
        examples.append(text)
        atomic_write(path, _text(blocks).encode("utf-8"))
    return True
