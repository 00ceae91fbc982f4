"""Settings: documented once in .env.example, and strict in production."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from domain.settings import DEFAULT_JWT_SECRET, JwtSettings, Settings, env_names

ROOT = Path(__file__).resolve().parents[2]


def _documented() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def _process_variables() -> set[str]:
    """What the Procfile and `make dev` read from the environment themselves."""
    procfile = re.findall(r"\$\{([A-Z][A-Z0-9_]+)", (ROOT / "Procfile").read_text())
    dev = re.findall(r"environ\.get\(\"([A-Z][A-Z0-9_]+)\"", (ROOT / "scripts/dev.py").read_text())
    return set(procfile) | set(dev)


def test_env_example_documents_exactly_the_variables_kubera_reads():
    process = _process_variables()

    assert {"WEB_PORT", "CHAT_PROCESSES", "KUBERA_DATA_DIR"} <= process
    assert _documented() == env_names() | process


def test_production_refuses_the_development_jwt_secret():
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings(app={"env": "production"}, jwt=JwtSettings(secret=DEFAULT_JWT_SECRET))


def test_production_refuses_a_short_jwt_secret():
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(app={"env": "production"}, jwt=JwtSettings(secret="short-secret"))


def test_production_refuses_to_start_when_the_environment_sets_no_jwt_secret(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("JWT_SECRET", raising=False)

    with pytest.raises(ValidationError, match="JWT_SECRET"):
        Settings()


def test_production_starts_with_a_long_random_secret():
    settings = Settings(app={"env": "production"}, jwt=JwtSettings(secret="x" * 48))

    assert settings.app.env == "production"


def test_each_group_reads_its_own_prefix(monkeypatch):
    monkeypatch.setenv("MARKET_DATA_SOURCE", "demo")
    monkeypatch.setenv("SMTP_PORT", "2525")

    settings = Settings()

    assert settings.market.data_source == "demo"
    assert settings.smtp.port == 2525
