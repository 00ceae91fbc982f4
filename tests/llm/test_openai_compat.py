"""OpenAICompatModel against a local stand-in gateway over real HTTP."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from domain.llm.base import (
    ChatMessage,
    Finished,
    ModelUnavailable,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallsReady,
    ToolSpec,
    Usage,
)
from domain.llm.openai_compat import OpenAICompatModel, api_key_for, request_headers
from domain.settings import LlmSettings
from tests.llm.gateway import DONE, KEEP_ALIVE, Gateway, Reply, chunk, text_stream

KEY = "sk-test-not-a-real-key-4f9c"
QUESTION = [ChatMessage(role="user", content="How did Reliance close?")]


def model_for(gateway: Gateway, api_key: str = "") -> OpenAICompatModel:
    settings = LlmSettings(
        base_url=gateway.url, model="test-model", api_key=api_key, OPENROUTER_API_KEY=""
    )
    # Tiny backoffs keep retry tests quick; nothing waits on them for order.
    return OpenAICompatModel(settings, backoff_s=0.001, backoff_cap_s=0.002)


async def collect(
    model: OpenAICompatModel,
    messages: list[ChatMessage] = QUESTION,
    tools: list[ToolSpec] | None = None,
    into: list[StreamEvent] | None = None,
) -> list[StreamEvent]:
    events = [] if into is None else into
    async for event in model.stream(messages, tools or []):
        events.append(event)
    return events


def text_of(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


@pytest.mark.asyncio
async def test_streamed_text_arrives_as_deltas_that_join_to_the_answer(gateway: Gateway) -> None:
    usage = {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49}
    frames = text_stream("Reliance ", "closed ", "at ₹2,950.")
    gateway.script(Reply(frames=[KEEP_ALIVE, *frames[:-1], chunk(usage=usage), DONE]))

    events = await collect(model_for(gateway))

    assert text_of(events) == "Reliance closed at ₹2,950."
    assert not any(isinstance(e, ToolCallsReady) for e in events)
    assert events[-1] == Finished(
        model="stand-in/model-v1", usage=Usage(42, 7), finish_reason="stop"
    )


@pytest.mark.asyncio
async def test_streamed_tool_calls_are_assembled_by_index(gateway: Gateway) -> None:
    def call(index: int, arguments: str, **first: str) -> str:
        function = {"arguments": arguments}
        if first:
            function["name"] = first["name"]
            fragment = {"index": index, "id": first["id"], "type": "function"}
        else:
            fragment = {"index": index}
        return chunk({"tool_calls": [{**fragment, "function": function}]})

    gateway.script(
        Reply(
            frames=[
                chunk({"role": "assistant", "content": "Let me look. "}),
                call(0, "", id="call_a", name="get_price"),
                call(0, '{"sym'),
                call(1, "", id="call_b", name="get_news"),
                call(0, 'bol": "RELI'),
                call(1, '{"symbol": "TCS", "days": 7}'),
                call(0, 'ANCE.NS"}'),
                chunk(finish_reason="tool_calls"),
                chunk(usage={"prompt_tokens": 90, "completion_tokens": 30}),
                DONE,
            ]
        )
    )

    events = await collect(model_for(gateway))

    assert text_of(events) == "Let me look. "
    ready = [e for e in events if isinstance(e, ToolCallsReady)]
    assert ready == [
        ToolCallsReady(
            (
                ToolCall("call_a", "get_price", {"symbol": "RELIANCE.NS"}),
                ToolCall("call_b", "get_news", {"symbol": "TCS", "days": 7}),
            )
        )
    ]
    assert events[-1] == Finished("stand-in/model-v1", Usage(90, 30), "tool_calls")


@pytest.mark.asyncio
async def test_tool_calls_without_a_tool_calls_finish_reason_are_still_reported(
    gateway: Gateway,
) -> None:
    fragment = {"index": 0, "id": "c1", "function": {"name": "quote", "arguments": "{}"}}
    gateway.script(
        Reply(frames=[chunk({"tool_calls": [fragment]}), chunk(finish_reason="stop"), DONE])
    )

    events = await collect(model_for(gateway))

    assert events == [
        ToolCallsReady((ToolCall("c1", "quote", {}),)),
        Finished("stand-in/model-v1", Usage(), "tool_calls"),
    ]


@pytest.mark.asyncio
async def test_unparseable_tool_arguments_are_kept_raw_with_a_warning(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    fragment = {"index": 0, "id": "c1", "function": {"name": "quote", "arguments": '{"symbol": '}}
    gateway.script(
        Reply(frames=[chunk({"tool_calls": [fragment]}), chunk(finish_reason="tool_calls"), DONE])
    )

    with caplog.at_level(logging.WARNING, logger="kubera.llm"):
        events = await collect(model_for(gateway))

    assert events[0] == ToolCallsReady((ToolCall("c1", "quote", {"_raw": '{"symbol": '}),))
    assert "llm tool arguments not a json object" in caplog.messages


@pytest.mark.asyncio
async def test_request_carries_history_and_tools_in_openai_shape(gateway: Gateway) -> None:
    schema = {"type": "object", "properties": {"symbol": {"type": "string"}}}
    tools = [ToolSpec("get_price", "Latest price of an NSE symbol.", schema)]
    history = [
        ChatMessage(role="system", content="You are Kubera."),
        ChatMessage(role="user", content="Price of Reliance?"),
        ChatMessage(
            role="assistant",
            tool_calls=(ToolCall("call_a", "get_price", {"symbol": "RELIANCE.NS"}),),
        ),
        ChatMessage(
            role="tool", content='{"price": 2950}', tool_call_id="call_a", name="get_price"
        ),
    ]
    gateway.script(Reply(frames=text_stream("₹2,950.")))

    await collect(model_for(gateway), history, tools)

    [seen] = gateway.requests
    assert seen.path == "/v1/chat/completions"
    assert seen.body["model"] == "test-model"
    assert seen.body["stream"] is True
    assert seen.body["stream_options"] == {"include_usage": True}
    assert seen.body["tool_choice"] == "auto"
    assert seen.body["tools"] == [
        {
            "type": "function",
            "function": {
                "name": "get_price",
                "description": "Latest price of an NSE symbol.",
                "parameters": schema,
            },
        }
    ]
    assert seen.body["messages"] == [
        {"role": "system", "content": "You are Kubera."},
        {"role": "user", "content": "Price of Reliance?"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "get_price", "arguments": '{"symbol": "RELIANCE.NS"}'},
                }
            ],
        },
        {
            "role": "tool",
            "tool_call_id": "call_a",
            "name": "get_price",
            "content": '{"price": 2950}',
        },
    ]


@pytest.mark.asyncio
async def test_each_step_offers_the_tools_it_was_given(gateway: Gateway) -> None:
    schema = {"type": "object", "properties": {}}
    price, news = ToolSpec("get_price", "Price.", schema), ToolSpec("get_news", "News.", schema)
    gateway.script(*(Reply(frames=text_stream("Ok.")) for _ in range(4)))
    model = model_for(gateway)

    for offered in ([price, news], [price, news], [news], []):
        await collect(model, QUESTION, offered)

    offered_names = [
        [t["function"]["name"] for t in seen.body.get("tools", [])] for seen in gateway.requests
    ]
    assert offered_names == [["get_price", "get_news"], ["get_price", "get_news"], ["get_news"], []]
    assert all(seen.headers["content-type"] == "application/json" for seen in gateway.requests)


@pytest.mark.asyncio
async def test_no_tools_means_no_tools_or_tool_choice_in_the_request(gateway: Gateway) -> None:
    gateway.script(Reply(frames=text_stream("Hi.")))

    await collect(model_for(gateway))

    assert "tools" not in gateway.requests[0].body
    assert "tool_choice" not in gateway.requests[0].body


@pytest.mark.asyncio
async def test_a_configured_key_is_sent_as_a_bearer_token(gateway: Gateway) -> None:
    gateway.script(Reply(frames=text_stream("Hi.")))

    await collect(model_for(gateway, api_key=KEY))

    headers = gateway.requests[0].headers
    assert headers["authorization"] == f"Bearer {KEY}"
    assert "x-title" not in headers  # OpenRouter's attribution goes to OpenRouter only


@pytest.mark.asyncio
async def test_without_a_key_no_authorization_header_is_sent(gateway: Gateway) -> None:
    gateway.script(Reply(frames=text_stream("Hi.")))

    await collect(model_for(gateway))

    assert "authorization" not in gateway.requests[0].headers


@pytest.mark.asyncio
async def test_rate_limit_is_retried_after_the_time_the_server_asks(gateway: Gateway) -> None:
    gateway.script(
        Reply(429, headers={"retry-after": "0"}, error={"message": "slow down"}),
        Reply(frames=text_stream("Second time lucky.")),
    )

    events = await collect(model_for(gateway))

    assert len(gateway.requests) == 2
    assert text_of(events) == "Second time lucky."


@pytest.mark.asyncio
async def test_server_errors_are_retried_until_an_answer_arrives(gateway: Gateway) -> None:
    gateway.script(Reply(500), Reply(500), Reply(frames=text_stream("Third time.")))

    events = await collect(model_for(gateway))

    assert len(gateway.requests) == 3
    assert text_of(events) == "Third time."
    assert isinstance(events[-1], Finished)


@pytest.mark.asyncio
async def test_the_model_gives_up_after_the_last_attempt(gateway: Gateway) -> None:
    gateway.script(*[Reply(503) for _ in range(5)])

    with pytest.raises(ModelUnavailable, match="after 4 attempts") as caught:
        await collect(model_for(gateway))

    assert caught.value.code == "LLM_UNAVAILABLE"
    assert len(gateway.requests) == 4


@pytest.mark.asyncio
async def test_a_refused_key_fails_at_once_without_retries_or_leaking_the_key(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    gateway.script(Reply(401, error={"message": "No auth credentials found"}))

    with caplog.at_level(logging.DEBUG), pytest.raises(ModelUnavailable, match="API key") as caught:
        await collect(model_for(gateway, api_key=KEY))

    assert "401" in str(caught.value)
    assert len(gateway.requests) == 1
    assert KEY not in caplog.text
    assert all(KEY not in str(record.__dict__) for record in caplog.records)


@pytest.mark.asyncio
async def test_a_stream_cut_after_text_raises_and_keeps_the_text_once(gateway: Gateway) -> None:
    frames = text_stream("Partial ", "answer", " never finished.")
    gateway.script(Reply(frames=frames, drop_after=3), Reply(frames=text_stream("retried")))
    events: list[StreamEvent] = []

    with pytest.raises(ModelUnavailable, match="part-way"):
        await collect(model_for(gateway), into=events)

    assert text_of(events) == "Partial answer"
    assert len(gateway.requests) == 1


@pytest.mark.asyncio
async def test_a_stream_cut_before_any_text_is_retried(gateway: Gateway) -> None:
    gateway.script(
        Reply(frames=text_stream("lost"), drop_after=1), Reply(frames=text_stream("Whole."))
    )

    events = await collect(model_for(gateway))

    assert text_of(events) == "Whole."
    assert len(gateway.requests) == 2


@pytest.mark.asyncio
async def test_closing_the_stream_early_closes_the_connection(gateway: Gateway) -> None:
    gateway.script(Reply(frames=text_stream("First ", "second."), hold_after=2))
    stream = model_for(gateway).stream(QUESTION, [])

    first = await anext(stream)
    await stream.aclose()

    assert first == TextDelta("First ")
    assert await asyncio.to_thread(gateway.client_left.wait, 30)


def test_openrouter_gets_its_attribution_headers_and_its_own_key_only() -> None:
    openrouter = LlmSettings(api_key="", OPENROUTER_API_KEY="sk-or-1")
    local = LlmSettings(
        base_url="http://localhost:11434/v1", api_key="", OPENROUTER_API_KEY="sk-or-1"
    )

    headers = request_headers(
        openrouter.base_url, api_key_for(openrouter), "https://kubera.example"
    )

    assert headers["Authorization"] == "Bearer sk-or-1"
    assert headers["X-Title"] == "Kubera"
    assert headers["HTTP-Referer"] == "https://kubera.example"
    assert api_key_for(local) == ""


@pytest.mark.asyncio
async def test_a_silent_gateway_times_out_and_is_retried(gateway: Gateway) -> None:
    gateway.script(
        Reply(frames=text_stream("never"), hold_after=0), Reply(frames=text_stream("Ok."))
    )
    settings = LlmSettings(base_url=gateway.url, api_key="", OPENROUTER_API_KEY="", timeout_s=0.2)
    model = OpenAICompatModel(settings, backoff_s=0.001, backoff_cap_s=0.002)

    events = await collect(model)

    assert text_of(events) == "Ok."
    assert len(gateway.requests) == 2


@pytest.mark.asyncio
async def test_an_unreachable_gateway_is_retried_then_unavailable() -> None:
    with socket.socket() as closed:  # bound but not listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}/v1"
        settings = LlmSettings(base_url=url, api_key="", OPENROUTER_API_KEY="")
        model = OpenAICompatModel(settings, max_attempts=2, backoff_s=0.001, backoff_cap_s=0.002)

        with pytest.raises(ModelUnavailable, match="after 2 attempts") as caught:
            await collect(model)

    assert caught.value.extra["reason"] == "ConnectError"


@pytest.mark.asyncio
async def test_tool_calls_sent_without_an_index_are_told_apart_by_id(gateway: Gateway) -> None:
    fragments = [
        {"id": "c1", "function": {"name": "quote", "arguments": '{"symbol": '}},
        {"function": {"arguments": '"INFY"}'}},
        {"id": "c2", "function": {"name": "news", "arguments": "{}"}},
    ]
    frames = [chunk({"tool_calls": [f]}) for f in fragments]
    gateway.script(Reply(frames=[*frames, chunk(finish_reason="tool_calls"), DONE]))

    events = await collect(model_for(gateway))

    assert events[0] == ToolCallsReady(
        (ToolCall("c1", "quote", {"symbol": "INFY"}), ToolCall("c2", "news", {}))
    )
