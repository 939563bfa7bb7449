"""Where the time of one message goes: `python -m bench.profile_message [--rounds 30]`.

Loads the trained model in this process (as `rasa run` does) with a real action server on a free
port, holds `--rounds` conversations of `--turns` messages under cProfile, and splits the time of a
message into: NLU (parse), dialogue prediction (policies), the custom action (HTTP round trip to
the action server, which answers from the KB), tracker store, and the rest of Rasa's processing.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from typing import List, Tuple

from bench.load import CONVERSATIONS, FOLLOW_UPS
from bot.launcher import MODEL_DIR, free_port, require_model, start_action_server, stop

# (label, function names as cProfile shows them) — cumulative time, so parts may nest.
PARTS: List[Tuple[str, Tuple[str, ...]]] = [
    ("NLU parse (normaliser, featurisers, DIET)", ("parse_message",)),
    (
        "dialogue prediction (RulePolicy, Memoization)",
        ("predict_next_with_tracker_if_should", "_predict_next_with_tracker"),
    ),
    ("custom action: HTTP to the action server", ("run",)),  # filtered to rasa/core/actions/action.py
    ("tracker store (in memory)", ("save", "retrieve")),  # filtered to tracker_store.py
]


async def converse(agent: object, rounds: int, turns: int) -> List[float]:
    """`rounds` conversations of `turns` messages: a question, then the follow-ups in turn."""
    timings: List[float] = []
    for n in range(rounds):
        title_question = CONVERSATIONS[n % len(CONVERSATIONS)][1]
        follow_ups = [m for _, m in FOLLOW_UPS]
        texts = [title_question, *(follow_ups[i % len(follow_ups)] for i in range(turns - 1))]
        for text in texts:
            start = time.perf_counter()
            await agent.handle_text(text, sender_id=f"profile-{n}")  # type: ignore[attr-defined]
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def cumulative(stats: pstats.Stats, names: Tuple[str, ...], path_part: str = "") -> float:
    total = 0.0
    for (filename, _, function), (_, _, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if function in names and path_part in filename:
            total += cum
    return total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--turns", type=int, default=30, help="messages per conversation (bench.load's are ~30)")
    parser.add_argument("--stock", action="store_true", help="without bot.server's faster response check")
    args = parser.parse_args()
    require_model()
    if not args.stock:
        from bot.server import install

        install()  # as the Rasa server started by bot.launcher does
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    port = free_port()
    actions = start_action_server(port, env={"MOTCUA_TODAY": "2026-11-22"})
    try:
        agent = Agent.load(str(MODEL_DIR), action_endpoint=EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
        asyncio.run(converse(agent, 2, 5))  # warm-up
        profiler = cProfile.Profile()
        profiler.enable()
        timings = asyncio.run(converse(agent, args.rounds, args.turns))
        profiler.disable()
    finally:
        stop(actions)
    stats = pstats.Stats(profiler)
    total_s = sum(timings) / 1000
    per_message = sum(timings) / len(timings)
    print(f"{len(timings)} messages in process, {per_message:.1f} ms each on average (cProfile on)")
    filters = {"custom action: HTTP to the action server": "core/actions/action.py",
               "tracker store (in memory)": "tracker_store.py"}  # fmt: skip
    for label, names in PARTS:
        seconds = cumulative(stats, names, filters.get(label, ""))
        print(f"  {label:<48} {100 * seconds / total_s:5.1f} %   {1000 * seconds / len(timings):6.1f} ms")
    print("\nTop functions by own time:")
    stats.sort_stats("tottime").print_stats(12)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
