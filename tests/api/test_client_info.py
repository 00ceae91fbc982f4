"""Who a request came from: the peer's address, not what a header claims."""

from __future__ import annotations

from litestar.testing import RequestFactory

from api.deps import provide_client


def test_a_forwarded_for_header_from_the_client_itself_is_not_believed():
    request = RequestFactory().get(
        "/auth/login", headers={"X-Forwarded-For": "6.6.6.6", "User-Agent": "curl/8"}
    )

    client = provide_client(request)

    assert client.ip == request.client.host != "6.6.6.6"
    assert client.user_agent == "curl/8"
