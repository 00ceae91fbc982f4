"""An email that cannot be handed to the queue fails its request: the user is
told, and nothing the email would have announced is kept.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from api.app import create_app
from tests.helpers import new_email, sql


@pytest.fixture
def broker_down(stack, monkeypatch) -> Iterator[TestClient]:
    import workers.email

    def refuse(email) -> None:
        raise ConnectionError("redis is down")

    # The app picks the dispatch hook up when it starts.
    monkeypatch.setattr(workers.email, "dispatch", refuse)
    with TestClient(create_app()) as http:
        yield http


def test_a_code_that_cannot_be_queued_is_a_503_and_leaves_no_code_or_log_row(broker_down):
    email = new_email()

    response = broker_down.post("/auth/register/step1", json={"email": email})

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "UNAVAILABLE"
    assert sql("SELECT count(*) FROM otps WHERE email = :e", e=email) == [(0,)]
    assert sql("SELECT count(*) FROM email_log WHERE to_email = :e", e=email) == [(0,)]
