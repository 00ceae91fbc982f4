"""The offline analyst: a rule-based ChatModel that plans tool calls from the
user's request and writes grounded Markdown answers from their results.

    intents   the request: kind, companies, extras (recognise)
    plans     the tool calls for an intent (plan)
    writer    results -> Markdown, per intent kind (write), with sections,
              charts, reads (rule-based readings) and format helpers
    replies   answers that need no tool
    model     OfflineAnalyst, the ChatModel
"""

from __future__ import annotations

from domain.analyst.intents import Intent, recognise
from domain.analyst.model import MODEL_NAME, OfflineAnalyst
from domain.analyst.plans import plan

__all__ = ["MODEL_NAME", "Intent", "OfflineAnalyst", "plan", "recognise"]
