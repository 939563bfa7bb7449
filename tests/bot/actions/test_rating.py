"""The satisfaction rating through the real actions: when the prompt comes (after a thanks or a
goodbye that follows an answer; after a helper's chat, from the console), never twice in a session,
what each reply gets, and the rating mark the insights read."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import rating_text as text
from bot.actions.dossier import ActionNotUnderstood
from bot.actions.followups import ActionChooseOption, ActionDeny
from bot.actions.outcome import mark
from bot.actions.procedures import ActionAnswerDocuments, ActionAnswerFee
from bot.actions.rating_actions import ActionAskRating, ActionGoodbye, ActionThanks
from tests.bot.actions.test_actions import DOMAIN

Event = Dict[str, Any]
THANKS = DOMAIN["responses"]["utter_thanks"][0]["text"]
GOODBYE = DOMAIN["responses"]["utter_goodbye"][0]["text"]


def user(text: str) -> Event:
    return {"event": "user", "text": text, "input_channel": "telegram", "parse_data": {}}


def bot(text: str = "…", **marked: Any) -> Event:
    return {"event": "bot", "text": text, "metadata": {"motcua": mark(**marked)} if marked else {}}


def slot(name: str, value: Any) -> Event:
    return {"event": "slot", "name": name, "value": value}


def listen() -> Event:
    return {"event": "action", "name": "action_listen"}


def new_session(**carried: Any) -> List[Event]:
    """A session start as Rasa makes it, with the slots carried over from the session before."""
    return [
        {"event": "action", "name": "action_session_start"},
        {"event": "session_started"},
        *(slot(name, value) for name, value in carried.items()),
        listen(),
    ]


def answered_turn(question: str = "làm giấy khai sinh cần giấy tờ gì") -> List[Event]:
    return [user(question), bot("Giấy tờ cần chuẩn bị — Đăng ký khai sinh …", outcome="answered"), listen()]


def tracker(
    text: str, events: List[Event], intent: str = "x", confidence: float = 1.0, slots: Optional[Dict[str, Any]] = None
) -> Tracker:
    """The tracker of `text` after `events` (slot events set the slots, as Rasa's do)."""
    values: Dict[str, Any] = {name: None for name in DOMAIN["slots"]}
    for event in events:
        if event["event"] == "slot":
            values[event["name"]] = event["value"]
    values.update(slots or {})
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": []}
    return Tracker("tg:4242", values, message, [*events, user(text)], False, None, {}, "action_listen")


async def run(action: Action, track: Tracker) -> tuple[List[Dict[str, Any]], List[Dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, track, DOMAIN)
    return dispatcher.messages, events


def said(message: Dict[str, Any]) -> str:
    """What the citizen reads: the text, or the domain response's."""
    if message.get("response"):
        return str(DOMAIN["responses"][message["response"]][0]["text"])
    return str(message["text"])


def awaiting(what: Optional[str], turn: int) -> Dict[str, Any]:
    return {"event": "slot", "timestamp": None, "name": "dossier_waiting", "value": f"{what}:{turn}" if what else None}


def rating_of(message: Dict[str, Any]) -> Dict[str, Any]:
    return dict(message["motcua"]["rating"])


def prompted(turn: int, prompt_id: str = "p1", **rating: Any) -> List[Event]:
    """The thanks turn that asked for the rating, as the tracker then holds it."""
    asked = {"stage": "asked", "id": prompt_id, "score": None, "comment": None, "procedure": None,
             "channel": "telegram", "helper_outcome": None, **rating}  # fmt: skip
    return [
        user("cảm ơn"),
        bot(THANKS, outcome="smalltalk"),
        bot(text.PROMPT, outcome="smalltalk", rating=asked),
        slot("dossier_waiting", f"rating:{turn}"),
        listen(),
    ]


# -- when the prompt comes --------------------------------------------------------------------------
async def test_thanks_after_an_answer_says_thanks_then_asks_for_stars() -> None:
    history = [*new_session(), *answered_turn()]
    messages, events = await run(ActionThanks(), tracker("cảm ơn nhé", history, "thanks"))
    assert [said(m) for m in messages] == [THANKS, text.PROMPT]
    assert "từ 1 đến 5 sao" in text.PROMPT
    prompt = messages[1]
    assert [b["payload"] for b in prompt["buttons"]] == ["1", "2", "3", "4", "5", "bỏ qua"]
    assert prompt["buttons"][-1]["title"] == "Bỏ qua"
    assert prompt["motcua"]["outcome"] == "smalltalk"
    asked = rating_of(prompt)
    assert asked["stage"] == "asked" and len(asked["id"]) == 16 and asked["channel"] == "telegram"
    assert events == [awaiting("rating", 2)]


async def test_goodbye_after_a_dossier_lookup_asks_too() -> None:
    history = [*new_session(), user("tra hồ sơ"), bot("Hồ sơ …", outcome="dossier", dossier="found"), listen()]
    messages, events = await run(ActionGoodbye(), tracker("tạm biệt", history, "goodbye"))
    assert [said(m) for m in messages] == [GOODBYE, text.PROMPT]
    assert events == [awaiting("rating", 2)]


async def test_thanks_before_any_answer_is_only_thanks() -> None:
    history = [
        *new_session(),
        user("xin chào"),
        bot("Xin chào! …", outcome="smalltalk"),
        listen(),
        user("tra hồ sơ"),
        bot("Bạn gửi giúp mình mã hồ sơ …", outcome="dossier", dossier="asked_code"),  # asked, nothing answered
        listen(),
    ]
    messages, events = await run(ActionThanks(), tracker("cảm ơn", history, "thanks"))
    assert [said(m) for m in messages] == [THANKS]
    assert events == []


async def test_never_twice_in_a_session() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2), *answered_turn("còn lệ phí?")]
    for action, words in ((ActionThanks(), "cảm ơn"), (ActionGoodbye(), "bye")):
        messages, events = await run(action, tracker(words, history))
        assert [said(m) for m in messages] == [THANKS if action.name() == "action_thanks" else GOODBYE]
        assert events == []
    messages, events = await run(ActionAskRating(), tracker("…", history))
    assert messages == [] and events == []


async def test_a_new_session_may_ask_again_after_its_own_answer() -> None:
    before = [*new_session(), *answered_turn(), *prompted(2)]
    # Rasa carries the slots over (the awaited input among them): they do not make an answer or a prompt
    carried = new_session(dossier_waiting="rating:2", procedure="khai-sinh", handoff_outcome="answered")
    messages, _ = await run(ActionThanks(), tracker("cảm ơn", [*before, *carried], "thanks"))
    assert [said(m) for m in messages] == [THANKS]
    messages, events = await run(ActionThanks(), tracker("cảm ơn", [*before, *carried, *answered_turn()], "thanks"))
    assert [said(m) for m in messages] == [THANKS, text.PROMPT]
    assert rating_of(messages[1])["helper_outcome"] is None  # the helper was in the session before
    assert events == [awaiting("rating", 4)]


async def test_the_console_asks_after_a_helpers_chat() -> None:
    history = [
        *new_session(),
        user("cho tôi gặp người thật"),
        {"event": "pause"},
        user("em cần mang gì"),
        bot(
            "Bạn mang giấy chứng sinh nhé.",
        ),
        bot("Cảm ơn bạn, cuộc trò chuyện với tình nguyện viên đã kết thúc."),
        {"event": "resume"},
        listen(),
        slot("handoff_outcome", "answered"),
    ]
    track = Tracker("tg:4242", {**{n: None for n in DOMAIN["slots"]}, "handoff_outcome": "answered"},
                    {"text": "em cần mang gì", "intent": {}}, history, False, None, {}, "action_listen")  # fmt: skip
    messages, events = await run(ActionAskRating(), track)
    [prompt] = messages
    assert said(prompt) == text.PROMPT and rating_of(prompt)["helper_outcome"] == "answered"
    assert events == [awaiting("rating", 2)]


# -- the reply --------------------------------------------------------------------------------------
async def test_a_score_is_thanked_and_a_comment_offered() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2)]
    track = tracker("5 sao", history, "choose_option", slots={"procedure": "khai-sinh"})
    messages, events = await run(ActionChooseOption(), track)  # where "5" goes
    [reply] = messages
    assert said(reply) == text.RATED_GOOD.format(score=5)
    assert [b["payload"] for b in reply["buttons"]] == ["không"]
    assert reply["motcua"]["outcome"] == "rating"
    assert rating_of(reply) == {
        "stage": "rated", "id": "p1", "score": 5, "comment": None, "procedure": "khai-sinh",
        "channel": "telegram", "helper_outcome": None,
    }  # fmt: skip
    assert events == [awaiting("comment", 3)]


async def test_a_poor_score_in_words_gives_the_hotline() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2)]
    messages, _ = await run(ActionNotUnderstood(), tracker("tệ quá", history, "nlu_fallback", 0.3))
    [reply] = messages
    assert said(reply) == text.RATED_POOR.format(score=1)
    assert "1800 1096" in said(reply)
    assert rating_of(reply)["score"] == 1


async def test_no_skips_with_a_short_thanks() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2)]
    for words in ("không", "bỏ qua", "thôi"):
        messages, events = await run(ActionDeny(), tracker(words, history, "deny"))
        [reply] = messages
        assert said(reply) == text.SKIPPED
        assert rating_of(reply)["stage"] == "skipped" and rating_of(reply)["score"] is None
        assert events == [awaiting(None, 3)]
        assert "buttons" not in reply or not reply["buttons"]


async def test_a_question_instead_of_a_rating_is_answered_and_not_asked_again() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2)]
    messages, _ = await run(ActionAnswerDocuments(), tracker("làm hộ chiếu cần gì", history, "ask_documents", 0.95))
    [answer] = messages
    assert said(answer).startswith("Giấy tờ cần chuẩn bị — Cấp hộ chiếu phổ thông")
    assert "rating" not in answer["motcua"]
    # the prompt is not repeated when the citizen thanks for that answer
    after = [*history, user("làm hộ chiếu cần gì"), bot(said(answer), outcome="answered"), listen()]
    messages, events = await run(ActionThanks(), tracker("cảm ơn", after, "thanks"))
    assert [said(m) for m in messages] == [THANKS] and events == []


async def test_a_question_read_as_a_number_is_not_a_rating() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2)]
    messages, _ = await run(ActionNotUnderstood(), tracker("5 giờ chiều mở cửa không", history, "nlu_fallback", 0.2))
    assert all("rating" not in m.get("motcua", {}) for m in messages)


def rated(turn: int, score: int = 5) -> List[Event]:
    """The turn that gave the score and asked for a comment."""
    rating = {"stage": "rated", "id": "p1", "score": score, "comment": None, "procedure": "khai-sinh",
              "channel": "telegram", "helper_outcome": None}  # fmt: skip
    return [
        user(str(score)),
        bot(text.RATED_GOOD.format(score=score), outcome="rating", rating=rating),
        slot("dossier_waiting", f"comment:{turn}"),
        listen(),
    ]


async def test_a_comment_is_thanked_and_kept_masked_in_the_mark() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2), *rated(3, score=4)]
    comment = "Hướng dẫn   rõ ràng, nhưng gọi 0912345678 mãi không ai nghe"
    messages, events = await run(ActionNotUnderstood(), tracker(comment, history, "nlu_fallback", 0.2))
    [reply] = messages
    assert said(reply) == text.COMMENTED
    assert rating_of(reply) == {
        "stage": "commented", "id": "p1", "score": 4,
        "comment": "Hướng dẫn rõ ràng, nhưng gọi 09******78 mãi không ai nghe",
        "procedure": "khai-sinh", "channel": "telegram", "helper_outcome": None,
    }  # fmt: skip
    assert events == [awaiting(None, 4)]


async def test_a_long_comment_is_capped() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2), *rated(3)]
    messages, _ = await run(ActionNotUnderstood(), tracker("rất tốt " * 200, history, "nlu_fallback", 0.2))
    assert len(rating_of(messages[0])["comment"]) == 500


async def test_no_comment() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2), *rated(3)]
    messages, events = await run(ActionDeny(), tracker("không", history, "deny"))
    assert [said(m) for m in messages] == [text.NO_COMMENT]
    assert events == [awaiting(None, 4)]


async def test_a_question_instead_of_a_comment_is_answered() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2), *rated(3)]
    messages, _ = await run(ActionAnswerFee(), tracker("lệ phí làm căn cước bao nhiêu?", history, "ask_fee", 0.9))
    [answer] = messages
    assert said(answer).startswith("Lệ phí — Cấp thẻ căn cước")
    assert "rating" not in answer["motcua"]


async def test_yes_asks_for_the_comment_itself() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2), *rated(3)]
    messages, events = await run(ActionChooseOption(), tracker("có", history, "affirm"))
    assert [said(m) for m in messages] == [text.ASK_COMMENT_TEXT]
    assert events == [awaiting("comment", 4)]


async def test_the_helpers_outcome_travels_with_the_score() -> None:
    history = [*new_session(), slot("handoff_outcome", "sent_to_counter"), *answered_turn(), *prompted(2)]
    messages, _ = await run(ActionChooseOption(), tracker("4", history, "choose_option"))
    assert rating_of(messages[0])["helper_outcome"] == "sent_to_counter"


async def test_comments_the_nlu_reads_as_something_else_are_still_comments() -> None:
    # as the trained NLU reads them: a comment as "deny", a thanks with a comment as "thanks"
    history = [*new_session(), *answered_turn(), *prompted(2), *rated(3)]
    for comment, intent in (("Hướng dẫn rõ ràng, dễ hiểu", "deny"), ("cảm ơn, bot rất hữu ích", "thanks")):
        messages, _ = await run(ActionDeny() if intent == "deny" else ActionThanks(), tracker(comment, history, intent))
        assert [said(m) for m in messages] == [text.COMMENTED]
        assert rating_of(messages[0])["comment"] == comment


async def test_a_bare_thanks_or_goodbye_after_a_score_gets_its_own_reply() -> None:
    history = [*new_session(), *answered_turn(), *prompted(2), *rated(3)]
    messages, events = await run(ActionThanks(), tracker("cảm ơn bạn", history, "thanks", 0.99))
    assert [said(m) for m in messages] == [THANKS] and events == []
    messages, events = await run(ActionGoodbye(), tracker("tạm biệt", history, "goodbye", 0.99))
    assert [said(m) for m in messages] == [GOODBYE] and events == []


async def test_replies_as_the_nlu_reads_them_reach_the_rating() -> None:
    # "5 sao" and "5/5" read as dossier questions, "thôi" as a goodbye, "bỏ qua" as a question about
    # filing online: the awaited input comes first whatever the action
    from bot.actions.dossier import ActionCheckDossierStatus
    from bot.actions.procedures import ActionAnswerOnline

    history = [*new_session(), *answered_turn(), *prompted(2)]
    for words, action, expected in (
        ("5 sao", ActionCheckDossierStatus(), text.RATED_GOOD.format(score=5)),
        ("5/5", ActionCheckDossierStatus(), text.RATED_GOOD.format(score=5)),
        ("thôi", ActionGoodbye(), text.SKIPPED),
        ("bỏ qua", ActionAnswerOnline(), text.SKIPPED),
    ):
        messages, _ = await run(action, tracker(words, history, "x", 0.9))
        assert [said(m) for m in messages] == [expected], words


async def test_a_wait_carried_into_a_new_session_is_not_a_rating() -> None:
    # Rasa carries the slots (the awaited "rating:2" among them) into a new session, and sends the
    # action server that session's events only: its third message must not read as a rating
    events = [*new_session(dossier_waiting="rating:2"), *answered_turn(), *answered_turn("còn lệ phí?")]
    messages, _ = await run(ActionChooseOption(), tracker("5", events, "choose_option"))
    assert [said(m) for m in messages] != [text.RATED_GOOD.format(score=5)]
    assert all("rating" not in m.get("motcua", {}) for m in messages)
    events = [*new_session(dossier_waiting="comment:2"), *answered_turn(), *answered_turn("còn lệ phí?")]
    messages, _ = await run(ActionNotUnderstood(), tracker("abc xyz", events, "nlu_fallback", 0.2))
    assert all("rating" not in m.get("motcua", {}) for m in messages)
