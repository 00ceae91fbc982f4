"""Which model answers, by configuration."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from domain.llm.base import ChatMessage, Finished, ModelUnavailable, StreamEvent, ToolSpec
from domain.llm.factory import build_model, model_label
from domain.llm.openai_compat import OPENROUTER_BASE_URL, OpenAICompatModel
from domain.settings import LlmSettings

OPENROUTER = OPENROUTER_BASE_URL
OLLAMA = "http://localhost:11434/v1"


class OfflineStandIn:
    name = "offline-analyst"

    async def stream(
        self, messages: list[ChatMessage], tools: list[ToolSpec]
    ) -> AsyncIterator[StreamEvent]:
        yield Finished(self.name)


def settings(
    base_url: str = OPENROUTER, api_key: str = "", openrouter_key: str = ""
) -> LlmSettings:
    return LlmSettings(base_url=base_url, api_key=api_key, OPENROUTER_API_KEY=openrouter_key)


def test_no_key_and_openrouter_url_picks_the_offline_analyst() -> None:
    model = build_model(settings(), OfflineStandIn)

    assert isinstance(model, OfflineStandIn)
    assert model_label(model) == "offline-analyst"


def test_a_local_base_url_picks_the_remote_model_without_a_key() -> None:
    def must_not_be_called() -> OfflineStandIn:
        raise AssertionError("the offline analyst was built")

    model = build_model(settings(OLLAMA), must_not_be_called)

    assert isinstance(model, OpenAICompatModel)
    assert model_label(model) == "meta-llama/llama-3.3-70b-instruct @ localhost:11434"


@pytest.mark.parametrize("keys", [{"api_key": "sk-1"}, {"openrouter_key": "sk-or-1"}])
def test_either_key_with_openrouter_picks_the_remote_model(keys: dict[str, str]) -> None:
    model = build_model(settings(**keys), OfflineStandIn)

    assert isinstance(model, OpenAICompatModel)
    assert model_label(model).endswith("@ openrouter.ai")
    assert "sk-" not in repr(model)


def test_no_key_and_no_offline_analyst_is_unavailable() -> None:
    with pytest.raises(ModelUnavailable):
        build_model(settings())
