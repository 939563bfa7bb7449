"""What someone who guesses dossier codes or phone digits gets: the details of a dossier lock after
a few wrong digits from any senders, a burst of lookups is refused, nothing before the owner
check names a person or a procedure, the limits hold across action servers on Redis and fail
closed when Redis is away, and no message is long enough to hold the action server."""

from __future__ import annotations

import time
from typing import Any, AsyncIterator, Callable, Tuple

import aiohttp
import pytest
from rasa_sdk import Action

from bot.actions.context import is_switch
from bot.actions.dossier import ActionCheckDossierStatus, ActionNotUnderstood, ActionOutOfScope, procedure_question
from bot.actions.followups import ActionChooseOption, ActionProvideProvince
from bot.actions.procedures import ActionAnswerDocuments, ActionAnswerFee
from bot.dossier_services import DossierServices, reset_services
from bot.knowledge import current_knowledge_base
from connectors.portal.simulator import Simulator
from dossiers.codes import find_code, last_digits, looks_like_code
from motcua.settings import Settings
from tests.bot.actions.dossier_chat import Chat, services_for
from tests.bot.conftest import OwnRedis

CHECK = ActionCheckDossierStatus()
SUPPLEMENT = "000.00.53.H48-261101-0005"  # status 5, phone ends 3405
PROCESSING = "000.00.53.H48-261101-0004"  # status 4, phone ends 3404
LOCKED = "Hồ sơ này đã bị nhập sai 4 số cuối điện thoại quá nhiều lần"


def settings(**values: Any) -> Settings:
    """The settings from the environment, with these values instead."""
    return Settings.parse_obj(values)


async def guess(sender: str, code: str, digits: str) -> str:
    """One attacker's try under a fresh sender: the code, then 4 digits."""
    chat = Chat(sender)
    await chat.say(CHECK, code)
    return await chat.say(CHECK, digits)


async def test_wrong_digits_from_any_senders_lock_the_details(portal: DossierServices) -> None:
    replies = [await guess(f"attacker-{i}", SUPPLEMENT, f"{1000 + i}") for i in range(5)]
    assert all(r.startswith("4 số cuối chưa khớp") for r in replies)
    after = [await guess(f"attacker-{i}", SUPPLEMENT, f"{2000 + i}") for i in range(5, 10)]
    assert all(r.startswith(LOCKED) for r in after)  # the guesses are no longer even checked
    owner = Chat("owner")
    status = await owner.say(CHECK, SUPPLEMENT)
    assert "Tình trạng: cần bổ sung giấy tờ" in status  # the status stays visible
    locked = await owner.say(CHECK, "3405")  # even the right digits
    assert locked.startswith(LOCKED)
    assert "https://dichvucong.gov.vn" in locked and "1800 1096" in locked
    assert "giấy chứng sinh" not in locked
    assert (await guess("owner-2", PROCESSING, "3404")).startswith("Chi tiết hồ sơ")  # other dossiers are not


async def test_the_owner_checking_again_and_again_is_not_locked(portal: DossierServices) -> None:
    for i in range(8):  # more than the 5 attempts: right digits are not held against the dossier
        assert (await guess(f"owner-{i}", SUPPLEMENT, "3405")).startswith("Chi tiết hồ sơ")


async def test_a_burst_from_many_senders_is_refused_politely(simulator: Simulator, simulator_url: str) -> None:
    async with aiohttp.ClientSession() as session:
        reset_services(services_for(simulator_url, session, settings(lookup_global_per_minute=3)))
        try:
            replies = [await Chat(f"sender-{i}").say(CHECK, PROCESSING) for i in range(6)]
        finally:
            reset_services()
    assert [r.startswith("Hồ sơ 000.00.53.H48-261101-0004") for r in replies] == [True] * 3 + [False] * 3
    assert replies[-1].startswith("Hiện có rất nhiều người cùng tra cứu hồ sơ") and "1800 1096" in replies[-1]
    assert simulator.requests == 1  # the portal was asked once (then the cache), never for the refused ones


async def test_the_procedure_of_a_dossier_is_in_context_only_after_the_owner_check(portal: DossierServices) -> None:
    chat = Chat()
    await chat.say(CHECK, SUPPLEMENT)
    papers = await chat.say(ActionAnswerDocuments(), "cần giấy tờ gì")
    assert papers.startswith("Bạn muốn hỏi giấy tờ của thủ tục nào")  # unknown to whoever only has the code
    assert "Giấy tờ cần chuẩn bị" not in papers


@pytest.fixture
async def strict(simulator_url: str) -> AsyncIterator[None]:
    async with aiohttp.ClientSession() as session:
        reset_services(services_for(simulator_url, session, settings(dossier_status_before_check=False)))
        yield
    reset_services()


async def test_strict_mode_answers_codes_that_exist_and_codes_that_do_not_alike(strict: None) -> None:
    def same(reply: str, code: str) -> str:
        return reply.replace(code, "<code>")

    unknown = "000.00.53.H48-261101-0999"
    first = [await Chat(f"a-{code}").say(CHECK, code) for code in (PROCESSING, unknown)]
    assert same(first[0], PROCESSING) == same(first[1], unknown)
    assert "Tình trạng" not in first[0] and "4 số cuối" in first[0]
    wrong = [await guess(f"b-{code}", code, "1111") for code in (PROCESSING, unknown)]
    assert wrong[0] == wrong[1] and wrong[0].startswith("4 số cuối chưa khớp")
    for i in range(4):  # a code that does not exist locks like one that does
        await guess(f"c-{i}", unknown, "1111")
        await guess(f"c-{i}", PROCESSING, "1111")
    assert (await guess("d", unknown, "1111")) == (await guess("d2", PROCESSING, "1111"))
    assert (await guess("e", PROCESSING, "3404")).startswith(LOCKED)
    assert (await guess("f", SUPPLEMENT, "3405")).startswith("Chi tiết hồ sơ")  # the owner of another one


@pytest.fixture
async def two_replicas(simulator_url: str, own_redis: OwnRedis) -> AsyncIterator[Tuple[DossierServices, ...]]:
    """Two action servers' services sharing one Redis."""
    async with aiohttp.ClientSession() as session:
        shared = settings(redis_url=own_redis.url)
        replicas = (services_for(simulator_url, session, shared), services_for(simulator_url, session, shared))
        yield replicas
        for replica in replicas:
            await replica.close()
    reset_services()


async def test_the_attempt_limit_holds_across_action_servers_and_fails_closed(
    two_replicas: Tuple[DossierServices, ...], own_redis: OwnRedis
) -> None:
    for i in range(6):
        reset_services(two_replicas[i % 2])
        reply = await guess(f"attacker-{i}", PROCESSING, "1111")
    assert reply.startswith(LOCKED)
    reset_services(two_replicas[0])
    assert (await guess("owner", SUPPLEMENT, "3405")).startswith("Chi tiết hồ sơ")
    own_redis.process.terminate()
    own_redis.process.wait(timeout=10)
    owner = Chat("owner-later")
    assert "Tình trạng: cần bổ sung giấy tờ" in await owner.say(CHECK, SUPPLEMENT)  # status still answered
    refused = await owner.say(CHECK, "3405")
    assert refused.startswith("Hiện mình chưa thể kiểm tra 4 số cuối an toàn")  # details fail closed
    assert "giấy chứng sinh" not in refused


ADVERSARIAL = {
    "còn … thì": "x còn " * 17_000,
    "còn, then spaces": "còn" + " " * 99_000 + "x",  # a switch's "còn … thì" read over a run of spaces
    "unit codes": "H48 " * 25_000,
    "digit groups": "1.2." * 25_000,
    "digits and spaces": "12 " * 33_000 + "x",
}
ACTIONS: dict[str, Callable[[], Action]] = {
    "dossier": ActionCheckDossierStatus,
    "out of scope": ActionOutOfScope,
    "not understood": ActionNotUnderstood,
    "documents": ActionAnswerDocuments,
    "fee": ActionAnswerFee,
    "choose": ActionChooseOption,
    "province": ActionProvideProvince,
}


@pytest.mark.parametrize("shape", ADVERSARIAL)
async def test_a_100_kb_message_does_not_hold_the_action_server(portal: DossierServices, shape: str) -> None:
    text = ADVERSARIAL[shape]
    assert len(text.encode("utf-8")) >= 99_000
    await current_knowledge_base()  # loaded once at start in a real server, not on this message
    for name, action in ACTIONS.items():
        chat = Chat(f"long-{name}")
        chat.slots["last_aspect"] = "fee"
        chat.slots["dossier_waiting"] = "code:0"  # the code was just asked for
        started = time.perf_counter()
        reply = await chat.say(action(), text)
        took = time.perf_counter() - started
        assert took < 1.0, f"{name} took {took:.2f} s on {shape}"
        assert reply  # answered, not dropped


def test_the_patterns_run_in_time_linear_in_the_message() -> None:
    for text in ("x con " * 17_000, "x con " * 17_000 + "thi sao", "h48 x" * 20_000):
        started = time.perf_counter()
        is_switch(text), looks_like_code(text), find_code(text), last_digits(text), procedure_question(text)
        assert time.perf_counter() - started < 0.2
    assert is_switch("vay con ho chieu thi sao") and is_switch("a con tam tru thi sao")
    assert not is_switch("thi sao con tam tru")  # "còn" must come before "thì sao", as before
