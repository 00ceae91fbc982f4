"""Resume and cancel: a client that loses its socket mid-turn picks the turn up
on another API process; a turn still queued can be followed; cancel stops the
model (even a silent one) or a running tool and keeps what was written.
"""

from __future__ import annotations

from websockets.sync.client import connect

from tests.chat.support import (
    GatedModel,
    HangingTools,
    QuickModel,
    next_event,
    of_type,
    send,
    text_of,
)
from tests.helpers import bearer, is_end, receive_until, ws_url
from tests.llm.gateway import Reply, text_stream, tool_call_frames

FIRST = "The first part of a long answer."
SECOND = " The second part, written after the reconnect."


def _first_chunk(ws) -> list[dict]:
    return receive_until(ws, lambda e: e["type"] == "text_chunk")


def test_a_client_cut_off_mid_turn_resumes_on_another_api_process(
    stack, account, use_model, second_api
):
    model = GatedModel(FIRST, SECOND)
    use_model(model)

    with connect(ws_url(stack["url"], account["access_token"])) as first:
        send(first, type="message", message="Write a long essay")
        seen = _first_chunk(first)
    # The socket is gone and the model is still writing when the client returns.
    with connect(ws_url(second_api, account["access_token"])) as second:
        send(second, type="resume", turn_id=seen[0]["turn_id"], after=seen[-1]["seq"])
        send(second, type="ping")
        assert next_event(second) == {"type": "pong"}  # the resume was taken
        model.release()
        rest = receive_until(second, is_end)

    assert (text_of(seen), text_of(rest)) == (FIRST, SECOND)
    assert [e["seq"] for e in rest] == list(range(seen[-1]["seq"] + 1, rest[-1]["seq"] + 1))
    assert rest[-1]["type"] == "message_complete"


def test_a_turn_still_waiting_for_a_worker_can_be_resumed(stack, account, use_model, chat_held):
    use_model(QuickModel())
    url = ws_url(stack["url"], account["access_token"])

    with connect(url) as second:
        with chat_held():
            with connect(url) as first:
                send(first, type="message", message="price of TCS")
                started = next_event(first)
            send(second, type="resume", turn_id=started["turn_id"], after=0)
            send(second, type="ping")
            taken = next_event(second)
        events = receive_until(second, is_end)

    assert taken == {"type": "pong"}  # no "finished more than an hour ago" error
    assert events[0]["seq"] == 1 and events[-1]["type"] == "message_complete"


def test_cancel_stops_a_silent_model_and_keeps_the_part_already_written(
    stack, client, account, use_model
):
    model = GatedModel(FIRST)  # writes, then waits for a release that never comes
    use_model(model)

    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        send(ws, type="message", message="Write a long essay")
        seen = _first_chunk(ws)
        send(ws, type="cancel", turn_id=seen[0]["turn_id"])
        rest = receive_until(ws, is_end)

    complete = rest[-1]
    assert complete["type"] == "message_complete"
    assert complete["metadata"]["status"] == "cancelled"
    assert model.stopped.is_set()
    chat = client.get(
        f"/chats/{seen[0]['chat_id']}", headers=bearer(account["access_token"])
    ).json()
    answer = chat["messages"][1]
    assert (answer["status"], answer["content"]) == ("cancelled", FIRST)


def test_cancel_stops_a_tool_that_is_still_running(
    stack, account, gateway, remote_model, use_model, use_tools
):
    gateway.script(
        Reply(frames=tool_call_frames(("call_1", "fetch_current_price_data", {"symbol": "TCS"}))),
        Reply(frames=text_stream("never asked for")),
    )
    use_model(remote_model)
    tools = use_tools(lambda real: HangingTools(real, hangs="fetch_current_price_data"))

    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        send(ws, type="message", message="price of TCS")
        seen = receive_until(ws, lambda e: e["type"] == "tool_call_start")
        send(ws, type="cancel", turn_id=seen[0]["turn_id"])
        rest = receive_until(ws, is_end)

    assert "cancelled" in of_type(rest, "tool_call_complete")[0]["result"]["error"]
    assert rest[-1]["metadata"]["status"] == "cancelled"
    assert tools.stopped.is_set()
    assert len(gateway.requests) == 1  # the model was not asked again


def test_a_cancel_sent_before_the_worker_starts_is_honoured(stack, account, use_model, chat_held):
    model = GatedModel(FIRST, SECOND)
    use_model(model)

    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        with chat_held():
            send(ws, type="message", message="Write a long essay")
            started = next_event(ws)
            send(ws, type="cancel", turn_id=started["turn_id"])
            send(ws, type="ping")
            assert next_event(ws) == {"type": "pong"}
        events = receive_until(ws, is_end)

    assert events[-1]["metadata"]["status"] == "cancelled"
    assert text_of(events) == ""


def test_a_turn_past_its_deadline_stops_keeps_its_words_and_says_so(
    stack, client, account, use_model, use_limits
):
    from domain.chat.turn import TurnLimits

    model = GatedModel(FIRST)  # writes, then falls silent for good
    use_model(model)
    use_limits(TurnLimits(turn_timeout_s=1.0))

    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        send(ws, type="message", message="Write a long essay")
        events = receive_until(ws, is_end)

    error = events[-1]
    assert (error["type"], error["code"]) == ("error", "TURN_TIMEOUT")
    assert text_of(events) == FIRST and model.stopped.is_set()
    chat = client.get(
        f"/chats/{events[0]['chat_id']}", headers=bearer(account["access_token"])
    ).json()
    answer = chat["messages"][1]
    assert (answer["status"], answer["content"]) == ("failed", FIRST)
    assert answer["id"] == error["message_id"]
