"""Chooses who writes the answers: a remote model when one is reachable by
configuration, else the built-in offline analyst.

OpenRouter needs a key, so OpenRouter's URL without one means offline; any
other base URL is taken to be a local server (Ollama, vLLM, llama.cpp), which
needs none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx

from domain.llm.base import ChatModel, ModelUnavailable
from domain.llm.openai_compat import OpenAICompatModel, api_key_for, is_openrouter
from domain.settings import LlmSettings

logger = logging.getLogger("kubera.llm")


def build_model(
    settings: LlmSettings,
    offline_factory: Callable[[], ChatModel] | None = None,
    *,
    app_url: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> ChatModel:
    """`offline_factory` is called only when no remote model is configured;
    `app_url` is sent to OpenRouter as the HTTP-Referer attribution; `client`
    shares one connection pool across requests (a worker process passes one)."""
    if api_key_for(settings) or not is_openrouter(settings.base_url):
        model: ChatModel = OpenAICompatModel(settings, app_url=app_url, client=client)
    elif offline_factory is not None:
        model = offline_factory()
    else:
        raise ModelUnavailable("No LLM key is configured and no offline analyst was given.")
    logger.info("llm model chosen", extra={"label": model_label(model)})
    return model


def model_label(model: ChatModel) -> str:
    """A short description for logs and the admin page, such as
    `meta-llama/llama-3.3-70b-instruct @ openrouter.ai`; never includes a key."""
    if isinstance(model, OpenAICompatModel):
        # hostname and port only: a URL's user:password part stays out.
        parts = urlsplit(model.base_url)
        host = parts.hostname or "?"
        if parts.port:
            host = f"{host}:{parts.port}"
        return f"{model.name} @ {host}"
    return model.name
