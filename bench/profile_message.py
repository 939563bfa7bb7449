"""Where the time of one message goes: `python -m bench.profile_message [--rounds 30]`.

Loads the trained model in this process (as `rasa run` does) with a real action server on a free
port, holds `--rounds` conversations of `--turns` messages under cProfile, and splits the time of a
message into: NLU (parse), dialogue prediction (policies), the custom action (HTTP round trip to
the action server, which answers from the KB), tracker store, and the rest of Rasa's processing.
With `--stock`, Rasa as shipped runs the same model (for the comparison): no bot.rasa_patches, and
the rule policy making its dialogue states from the whole conversation, as RulePolicy does.
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

# (label, function names as cProfile shows them, file they are in). Cumulative time of the
# outermost call of each name (Rasa wraps its tracker store, so `retrieve` calls `retrieve`).
PARTS: List[Tuple[str, Tuple[str, ...], str]] = [
    ("NLU parse (normaliser, featurisers, DIET)", ("parse_message",), "core/processor.py"),
    ("dialogue prediction (RulePolicy)", ("predict_next_with_tracker_if_should",), "core/processor.py"),
    ("actions (the custom ones: HTTP to the action server)", ("run",), "core/actions/action.py"),
    ("tracker store (in memory): retrieve and save", ("save", "retrieve"), "core/tracker_store.py"),
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


def cumulative(stats: pstats.Stats, names: Tuple[str, ...], path_part: str) -> float:
    """Seconds in the outermost call of each of `names` in files matching `path_part`."""
    outermost: dict = {}
    for (filename, _, function), (_, _, _, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        if function in names and path_part in filename:
            outermost[function] = max(outermost.get(function, 0.0), cum)
    return sum(outermost.values())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--turns", type=int, default=30, help="messages per conversation (bench.load's are ~30)")
    parser.add_argument(
        "--stock",
        action="store_true",
        help="Rasa as shipped: without bot.rasa_patches, and the model's rule policy making its states as RulePolicy",
    )
    args = parser.parse_args()
    require_model()
    if args.stock:
        from rasa.core.policies.rule_policy import RulePolicy

        from bot.policies import ConversationEndRulePolicy

        # the trained rules are the same; only the making of the dialogue states differs
        ConversationEndRulePolicy._prediction_states = RulePolicy._prediction_states  # type: ignore[method-assign]
    else:
        from bot.rasa_patches import install

        install()  # as the Rasa server started by bot.launcher (python -m bot.server) does
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.INFO)  # as `rasa run` does: its debug lines are not printed

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
    parts = 0.0
    for label, names, path_part in PARTS:
        seconds = cumulative(stats, names, path_part)
        parts += seconds
        print(f"  {label:<56} {100 * seconds / total_s:5.1f} %   {1000 * seconds / len(timings):6.1f} ms")
    rest = total_s - parts
    label = "the rest (Rasa's message handling, sessions, REST-less agent)"
    print(f"  {label:<56} {100 * rest / total_s:5.1f} %   {1000 * rest / len(timings):6.1f} ms")
    print("\nTop functions by own time:")
    stats.sort_stats("tottime").print_stats(12)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
