"""The worker's shared HTTP client: model steps reuse connections, however
many stream at once."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from domain.llm.base import ChatMessage, TextDelta
from domain.llm.openai_compat import OpenAICompatModel
from domain.llm.transport import shared_client
from domain.settings import LlmSettings
from tests.llm.gateway import Gateway, Reply, text_stream

QUESTION = [ChatMessage(role="user", content="How did Infosys close?")]


def _model(gateway: Gateway, client: httpx.AsyncClient) -> OpenAICompatModel:
    settings = LlmSettings(base_url=gateway.url, model="test-model", api_key="k")
    return OpenAICompatModel(settings, client=client)


async def _answer(model: OpenAICompatModel) -> str:
    events = [event async for event in model.stream(QUESTION, [])]
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def _connections(gateway: Gateway) -> set:
    return {seen.client for seen in gateway.requests}


@pytest.mark.asyncio
async def test_model_steps_one_after_another_share_one_connection(gateway: Gateway) -> None:
    gateway.script(*(Reply(frames=text_stream("Step ", str(n))) for n in range(3)))

    async with shared_client(httpx.Timeout(10)) as client:
        model = _model(gateway, client)
        answers = [await _answer(model) for _ in range(3)]

    assert answers == ["Step 0", "Step 1", "Step 2"]
    assert len(_connections(gateway)) == 1


@pytest.mark.asyncio
async def test_streams_at_once_each_get_a_connection_that_later_steps_reuse(
    gateway: Gateway,
) -> None:
    gateway.script(*(Reply(frames=text_stream("Ok.")) for _ in range(6)))

    async with shared_client(httpx.Timeout(10)) as client:
        model = _model(gateway, client)
        first = await asyncio.gather(*(_answer(model) for _ in range(3)))
        opened = _connections(gateway)
        second = await asyncio.gather(*(_answer(model) for _ in range(3)))

    assert first == second == ["Ok."] * 3
    assert len(opened) == 3
    assert _connections(gateway) == opened


@pytest.mark.asyncio
async def test_a_stream_cut_short_does_not_poison_the_next_step(gateway: Gateway) -> None:
    gateway.script(
        Reply(frames=text_stream("lost"), drop_after=1), Reply(frames=text_stream("Whole."))
    )

    async with shared_client(httpx.Timeout(10)) as client:
        settings = LlmSettings(base_url=gateway.url, model="test-model", api_key="k")
        model = OpenAICompatModel(settings, client=client, backoff_s=0.001, backoff_cap_s=0.002)
        answer = await _answer(model)

    assert answer == "Whole."
    assert len(_connections(gateway)) == 2
