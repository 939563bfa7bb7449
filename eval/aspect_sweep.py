"""Which reading of a question's aspect to trust: the NLU's or the question words'.

`python -m eval.aspect_sweep` parses every single question of the end-to-end sets (eval/*.yml with
an aspect) with the trained model and counts, for each threshold, the aspects read right when the
NLU's reading beats the question words (`bot.actions.context.asked_in`) from that confidence on,
with `bot.actions.answers.reading`, as the assistant does with `NLU_SURE`. No server, no search: the aspect only.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.actions.answers import reading
from bot.actions.context import asked_in, asks_validity
from eval.run_eval import ASPECT_OF_INTENT, ASPECT_SETS, OURS, ROOT
from procedures_kb.answers import Aspect
from procedures_kb.text import fold

THRESHOLDS = (0.0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 1.01)


def questions() -> List[Tuple[str, str, str]]:
    """(set, question, expected aspect) of every single question that expects one."""
    sets = [("cases", ROOT / "eval" / "e2e_cases.yml"), ("facts", ROOT / "eval" / "facts.yml")]
    sets += [(name, path) for name, _, path in ASPECT_SETS]
    sets.append(("dev", ROOT / "eval" / "e2e_aspects_dev.yml"))  # a development set, looked at
    found = []
    for name, path in sets:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        for item in (data.get("single") or []) + (data.get("facts") or []):
            if item.get("aspect") not in (None, "none"):
                found.append((name, item["q"], item["aspect"]))
    return found


def read(intent: str, confidence: float, text: str, threshold: float) -> Aspect:
    asked = ASPECT_OF_INTENT.get(intent, Aspect.overview)
    folded = fold(text)
    nlu = {"name": intent, "confidence": confidence}
    return reading(asked, asked_in(folded), nlu, threshold, asks_validity(folded))


async def parse(texts: List[str]) -> Dict[str, Tuple[str, float]]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(OURS))
    parsed = {}
    for text in texts:
        intent = (await agent.parse_message(text))["intent"]
        parsed[text] = (intent["name"], float(intent["confidence"]))
    return parsed


def main() -> int:
    items = questions()
    parsed = asyncio.run(parse(sorted({q for _, q, _ in items})))
    names = list(dict.fromkeys(name for name, _, _ in items))
    print("| NLU wins from | all | " + " | ".join(names) + " |")
    print("|---" * (len(names) + 2) + "|")
    for threshold in THRESHOLDS:
        right = {name: 0 for name in names}
        for name, text, expected in items:
            right[name] += read(*parsed[text], text, threshold).value == expected
        cells = [str(sum(right.values()))] + [str(right[name]) for name in names]
        print(f"| {threshold} | " + " | ".join(cells) + " |")
    print(f"({len(items)} questions: " + ", ".join(f"{n} {sum(1 for s, _, _ in items if s == n)}" for n in names) + ")")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
