"""What every client sees at the edge: the root, health, docs, and one error shape."""

from __future__ import annotations

from litestar import Litestar, get
from litestar.testing import TestClient

from api.errors import HANDLERS
from tests.helpers import new_email, register


def test_root_names_the_service_and_links_onwards(client):
    body = client.get("/").json()

    assert body["name"] == "Kubera"
    assert body["version"]
    assert body["links"]["health"] == "/health"


def test_health_is_ok_with_database_redis_queues_and_live_workers(client):
    response = client.get("/health")

    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert set(body["queues"]) == {"chat", "email", "jobs"}
    assert body["workers"]["by_queue"]["email"] >= 1


def test_the_openapi_schema_lists_the_account_endpoints_and_has_a_ui(client):
    schema = client.get("/schema/openapi.json").json()
    ui = client.get("/schema/swagger")

    paths = set(schema["paths"])
    assert {
        "/auth/register/step1",
        "/auth/register/step2",
        "/auth/register/step3",
        "/auth/login",
        "/auth/refresh",
        "/auth/logout",
        "/auth/check-username/{username}",
        "/auth/password-reset/send-otp",
        "/auth/password-reset/confirm",
        "/auth/forgot-password/send-otp",
        "/auth/forgot-password/confirm",
    } <= paths
    assert {
        "/user/profile",
        "/user/username",
        "/user/password",
        "/user/email-preferences",
        "/user/stats",
    } <= paths
    assert ui.status_code == 200 and "swagger" in ui.text.lower()


def test_an_oversize_body_is_refused_as_a_problem(client):
    response = client.post(
        "/auth/register/step1",
        content=b'{"email": "' + b"a" * 100_000 + b'@x.com"}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


def test_malformed_json_is_a_400_problem_without_internals(client):
    response = client.post(
        "/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )

    assert response.status_code == 400
    assert "Traceback" not in response.text


def test_an_unknown_path_is_a_404_problem(client):
    response = client.get("/no/such/thing")

    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_a_wrong_method_is_a_405_problem(client):
    response = client.get("/auth/login")

    assert response.status_code == 405
    assert response.json()["status"] == 405


def test_an_unexpected_field_is_named_in_the_error(client):
    response = client.post("/auth/register/step1", json={"email": new_email(), "admin": True})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "admin"


def test_a_body_that_is_not_an_object_is_named_as_the_body(client):
    response = client.post("/auth/register/step1", json=["someone@example.com"])

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"


def test_refusals_of_every_kind_share_the_problem_shape(client, mailbox):
    account = register(client, mailbox)
    email = new_email()
    client.post("/auth/register/step1", json={"email": email})

    refusals = [
        client.get("/user/profile"),  # 401
        client.post("/auth/register/step1", json={"email": account["email"]}),  # 409
        client.post("/auth/register/step1", json={"email": email}),  # 429
    ]

    assert [r.status_code for r in refusals] == [401, 409, 429]
    for response in refusals:
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert {"type", "title", "status", "detail", "code"} <= set(body)
        assert body["status"] == response.status_code


def test_an_unexpected_failure_is_a_500_problem_that_hides_its_internals():
    @get("/boom")
    async def boom() -> None:
        raise RuntimeError("connection string postgresql://secret@db")

    app = Litestar(route_handlers=[boom], exception_handlers=HANDLERS, debug=False)
    with TestClient(app) as http:
        response = http.get("/boom")

    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "INTERNAL"
    assert "secret" not in response.text and "Traceback" not in response.text
