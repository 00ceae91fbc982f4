"""Turns driven by a remote OpenAI-compatible model (the local stand-in, over
real HTTP and SSE, tool-call arguments split across deltas) through the real
socket, worker, Redis and PostgreSQL: tools, parallel tools, the bounds on
rounds and tool time, and a model that gives up.
"""

from __future__ import annotations

import json

from websockets.sync.client import connect

from domain.chat.turn import TurnLimits
from tests.chat.support import HangingTools, MeetingTools, of_type, send, text_of
from tests.helpers import bearer, is_end, receive_until, ws_url
from tests.llm.gateway import DONE, Reply, chunk, text_stream, tool_call_frames

PRICE = "fetch_current_price_data"


def _ask(stack, account, message: str) -> list[dict]:
    with connect(ws_url(stack["url"], account["access_token"])) as ws:
        send(ws, type="message", message=message)
        return receive_until(ws, is_end)


def _tool_messages(request) -> list[dict]:
    return [m for m in request.body["messages"] if m["role"] == "tool"]


def test_a_remote_model_calls_tools_and_streams_its_answer(
    stack, client, account, gateway, remote_model, use_model
):
    gateway.script(
        Reply(frames=tool_call_frames(("call_q1", PRICE, {"symbol": "INFY"}))),
        Reply(
            frames=text_stream(
                "Here is the latest quote ", "for Infosys. ", "Its fair value is 12,345.67."
            )
        ),
    )
    use_model(remote_model)

    events = _ask(stack, account, "How is Infosys doing?")

    turn_id = events[0]["turn_id"]
    assert all(e["turn_id"] == turn_id for e in events)
    assert [e["seq"] for e in events] == list(range(len(events)))
    start, done = of_type(events, "tool_call_start")[0], of_type(events, "tool_call_complete")[0]
    assert (start["tool_name"], start["arguments"]) == (PRICE, {"symbol": "INFY"})
    assert done["tool_id"] == "call_q1" and done["result"]["source"] == "demo"
    assert text_of(events) == "Here is the latest quote for Infosys. Its fair value is 12,345.67."
    meta = events[-1]["metadata"]
    assert meta["model"] == "stand-in/model-v1" and meta["tools_used"] == [PRICE]
    assert meta["tokens_used"] >= 132
    assert meta["unverified_numbers"] == ["12,345.67"]
    tool_message = _tool_messages(gateway.requests[1])[0]
    assert tool_message["tool_call_id"] == "call_q1"
    assert json.loads(tool_message["content"])["source"] == "demo"
    chat = client.get(
        f"/chats/{events[0]['chat_id']}", headers=bearer(account["access_token"])
    ).json()
    answer = chat["messages"][1]
    assert answer["id"] == events[-1]["message_id"]
    assert answer["tool_calls"][0]["arguments"] == {"symbol": "INFY"}


def test_the_tool_calls_of_one_model_step_run_at_the_same_time(
    stack, account, gateway, remote_model, use_model, use_tools
):
    symbols = ["INFY", "TCS", "ITC"]
    calls = [(f"call_{s}", PRICE, {"symbol": s}) for s in symbols]
    gateway.script(
        Reply(frames=tool_call_frames(*calls, pieces=4)),
        Reply(frames=text_stream("All three quotes are in.")),
    )
    use_model(remote_model)
    # Each call waits until all three have started: run one by one, none would finish.
    use_tools(lambda real: MeetingTools(real, parties=len(calls)))

    events = _ask(stack, account, "Quotes for Infosys, TCS and ITC")

    tool_events = [e for e in events if e["type"].startswith("tool_call")]
    kinds = [e["type"] for e in tool_events]
    assert kinds == ["tool_call_start"] * 3 + ["tool_call_complete"] * 3
    assert {e["arguments"]["symbol"] for e in of_type(events, "tool_call_start")} == set(symbols)
    results = [e["result"] for e in of_type(events, "tool_call_complete")]
    assert all("error" not in r and r["source"] == "demo" for r in results), results
    assert events[-1]["type"] == "message_complete"
    assert len(_tool_messages(gateway.requests[1])) == 3


def test_the_rounds_are_bounded_and_the_last_step_is_offered_no_tools(
    stack, account, gateway, remote_model, use_model, use_limits
):
    # A model that asks for a tool every time it is called.
    gateway.script(
        *[Reply(frames=tool_call_frames((f"c{i}", PRICE, {"symbol": "TCS"}))) for i in range(4)]
    )
    use_model(remote_model)
    use_limits(TurnLimits(max_rounds=3))

    events = _ask(stack, account, "Keep checking TCS")

    assert len(gateway.requests) == 3
    assert ["tools" in r.body for r in gateway.requests] == [True, True, False]
    assert len(of_type(events, "tool_call_complete")) == 2
    assert events[-1]["type"] == "message_complete"
    assert "stopped after 3 steps" in text_of(events)


def test_a_tool_that_does_not_answer_is_stopped_at_its_time_bound(
    stack, account, gateway, remote_model, use_model, use_tools, use_limits
):
    gateway.script(
        Reply(frames=tool_call_frames(("call_slow", PRICE, {"symbol": "TCS"}))),
        Reply(frames=text_stream("The price source did not answer in time.")),
    )
    use_model(remote_model)
    tools = use_tools(lambda real: HangingTools(real, hangs=PRICE))
    use_limits(TurnLimits(tool_timeout_s=0.5))

    events = _ask(stack, account, "price of TCS")

    result = of_type(events, "tool_call_complete")[0]["result"]
    assert "took longer than 0.5 s" in result["error"]
    assert tools.stopped.is_set()
    assert "took longer" in _tool_messages(gateway.requests[1])[0]["content"]
    assert events[-1]["type"] == "message_complete"


def test_a_model_that_never_answers_ends_the_turn_with_llm_unavailable(
    stack, client, account, gateway, remote_model, use_model
):
    gateway.script(Reply(503, error={"message": "overloaded"}), Reply(503))
    use_model(remote_model)

    events = _ask(stack, account, "price of TCS")

    error = events[-1]
    assert error["type"] == "error" and error["code"] == "LLM_UNAVAILABLE"
    assert len(gateway.requests) == 2  # retried, then given up
    chat = client.get(
        f"/chats/{events[0]['chat_id']}", headers=bearer(account["access_token"])
    ).json()
    assert chat["messages"][1]["status"] == "failed"
    assert chat["messages"][1]["id"] == error["message_id"]


def test_a_model_cut_off_mid_answer_keeps_the_part_it_wrote(
    stack, client, account, gateway, remote_model, use_model
):
    frames = [chunk({"content": "TCS closed "}), chunk({"content": "higher"}), DONE]
    gateway.script(Reply(frames=frames, drop_after=2))
    use_model(remote_model)

    events = _ask(stack, account, "price of TCS")

    assert events[-1]["code"] == "LLM_UNAVAILABLE"
    assert text_of(events) == "TCS closed higher"
    chat = client.get(
        f"/chats/{events[0]['chat_id']}", headers=bearer(account["access_token"])
    ).json()
    assert chat["messages"][1]["content"] == "TCS closed higher"
