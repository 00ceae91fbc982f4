"""Rate limits over the socket: ten prompts at once all pass, the eleventh in
the minute is refused with its level and wait; a chat's own limit holds."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

from websockets.sync.client import connect

from tests.chat.support import QuickModel, limit_user, next_event, send
from tests.helpers import bearer, is_end, receive_until, sql, ws_url

BURST = 10  # the product's default: prompts per sliding minute


def _prompt_at_once(url: str, count: int) -> list[list[dict]]:
    """`count` sockets send one prompt each at the same moment; each one's events."""
    together = threading.Barrier(count)

    def prompt(ws) -> list[dict]:
        together.wait()
        send(ws, type="message", message="price of TCS")
        first = next_event(ws)
        return [first] if is_end(first) else [first, *receive_until(ws, is_end)]

    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(connect(url)) for _ in range(count)]
        with ThreadPoolExecutor(count) as pool:
            return list(pool.map(prompt, sockets))


def test_ten_prompts_at_once_pass_and_the_eleventh_in_the_minute_is_refused(
    stack, client, account, use_model
):
    use_model(QuickModel())
    url = ws_url(stack["url"], account["access_token"])

    turns = _prompt_at_once(url, BURST)
    with connect(url) as ws:
        send(ws, type="message", message="price of ITC")
        refusal = next_event(ws)

    assert [t[0]["type"] for t in turns] == ["turn_started"] * BURST
    assert [t[-1]["type"] for t in turns] == ["message_complete"] * BURST
    assert refusal["type"] == "error" and refusal["code"] == "RATE_LIMITED"
    assert refusal["level"] == "burst"
    assert 0 < refusal["retry_after_s"] <= 60
    violations = sql(
        "SELECT level FROM rate_limit_violations WHERE user_id = :u", u=account["user"]["id"]
    )
    assert [v[0] for v in violations] == ["burst"]
    chats = client.get("/chats/", headers=bearer(account["access_token"])).json()
    assert chats["total"] == BURST  # the refused prompt left no empty chat behind


def test_of_eleven_prompts_at_once_exactly_ten_pass(stack, account, use_model):
    use_model(QuickModel())

    turns = _prompt_at_once(ws_url(stack["url"], account["access_token"]), BURST + 1)

    firsts = sorted(t[0]["type"] for t in turns)
    assert firsts == ["error"] + ["turn_started"] * BURST
    refused = next(t[0] for t in turns if t[0]["type"] == "error")
    assert (refused["code"], refused["level"]) == ("RATE_LIMITED", "burst")


def test_a_chat_at_its_limit_refuses_more_prompts_but_a_new_chat_is_open(stack, account, use_model):
    use_model(QuickModel())
    limit_user(account["user"]["id"], per_chat=1)
    url = ws_url(stack["url"], account["access_token"])

    with connect(url) as ws:
        send(ws, type="message", message="price of TCS")
        chat_id = receive_until(ws, is_end)[0]["chat_id"]
        send(ws, type="message", chat_id=chat_id, message="and ITC?")
        refusal = next_event(ws)
        send(ws, type="message", message="and ITC?")
        elsewhere = receive_until(ws, is_end)

    assert (refusal["code"], refusal["level"]) == ("RATE_LIMITED", "per_chat")
    assert "retry_after_s" not in refusal
    assert elsewhere[-1]["type"] == "message_complete" and elsewhere[0]["chat_id"] != chat_id


def test_someone_elses_chat_is_not_found_even_when_its_count_is_over_the_limit(
    stack, client, mailbox, account, use_model
):
    from tests.helpers import register

    use_model(QuickModel())
    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        send(ws, type="message", message="price of TCS")
        chat_id = receive_until(ws, is_end)[0]["chat_id"]
    other = register(client, mailbox)
    limit_user(other["user"]["id"], per_chat=1)

    with connect(ws_url(stack["url"], other["access_token"])) as ws:
        send(ws, type="message", chat_id=chat_id, message="and ITC?")
        refusal = next_event(ws)

    # Not RATE_LIMITED: that would tell them the chat exists, and how full it is.
    assert refusal["code"] == "NOT_FOUND"
    assert sql(
        "SELECT count(*) FROM rate_limit_violations WHERE user_id = :u", u=other["user"]["id"]
    ) == [(0,)]
    assert sql("SELECT count(*) FROM chat_messages WHERE chat_id = :c", c=chat_id) == [(2,)]


def test_a_signed_out_user_over_a_limit_is_told_they_are_signed_out(
    stack, client, account, use_model
):
    use_model(QuickModel())
    limit_user(account["user"]["id"], per_chat=1)
    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        send(ws, type="message", message="price of TCS")
        chat_id = receive_until(ws, is_end)[0]["chat_id"]
        client.post(
            "/auth/logout",
            json={"refresh_token": account["refresh_token"]},
            headers=bearer(account["access_token"]),
        )
        send(ws, type="message", chat_id=chat_id, message="and ITC?")
        refusal = next_event(ws)

    assert refusal["code"] == "UNAUTHORIZED" and "signed out" in refusal["message"]
    violations = sql(
        "SELECT count(*) FROM rate_limit_violations WHERE user_id = :u", u=account["user"]["id"]
    )
    assert violations == [(0,)]
