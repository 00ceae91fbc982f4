"""The /chats endpoints: a user's own chats, paged, renamed, deleted."""

from __future__ import annotations

import uuid

from tests.helpers import bearer, register


def test_chats_are_listed_newest_first_a_page_at_a_time(client, mailbox):
    headers = bearer(register(client, mailbox)["access_token"])
    ids = [
        client.post("/chats/", headers=headers, json={"title": f"chat {i}"}).json()["id"]
        for i in range(3)
    ]

    first = client.get("/chats/?page=1&size=2", headers=headers).json()
    second = client.get("/chats/?page=2&size=2", headers=headers).json()

    assert first["total"] == 3
    assert [c["id"] for c in first["items"]] == ids[::-1][:2]
    assert [c["id"] for c in second["items"]] == ids[:1]


def test_a_chat_is_read_renamed_and_deleted(client, mailbox):
    headers = bearer(register(client, mailbox)["access_token"])
    chat = client.post("/chats/", headers=headers, json={}).json()

    renamed = client.put(
        f"/chats/{chat['id']}/rename", headers=headers, json={"title": "Banks to watch"}
    )
    detail = client.get(f"/chats/{chat['id']}", headers=headers).json()
    deleted = client.delete(f"/chats/{chat['id']}", headers=headers)

    assert chat["title"] == "New chat"
    assert renamed.json()["title"] == "Banks to watch"
    assert detail["title"] == "Banks to watch" and detail["messages"] == []
    assert deleted.status_code == 204
    assert client.get(f"/chats/{chat['id']}", headers=headers).status_code == 404


def test_another_users_chat_does_not_exist_for_them(client, mailbox):
    owner = bearer(register(client, mailbox)["access_token"])
    other = bearer(register(client, mailbox)["access_token"])
    chat = client.post("/chats/", headers=owner, json={"title": "mine"}).json()

    read = client.get(f"/chats/{chat['id']}", headers=other)
    rename = client.put(f"/chats/{chat['id']}/rename", headers=other, json={"title": "x"})
    delete = client.delete(f"/chats/{chat['id']}", headers=other)

    assert read.status_code == rename.status_code == delete.status_code == 404
    assert client.get(f"/chats/{chat['id']}", headers=owner).json()["title"] == "mine"


def test_a_blank_title_or_bad_page_is_refused(client, mailbox):
    headers = bearer(register(client, mailbox)["access_token"])
    chat = client.post("/chats/", headers=headers, json={}).json()

    blank = client.put(f"/chats/{chat['id']}/rename", headers=headers, json={"title": "   "})
    page = client.get("/chats/?page=0", headers=headers)
    unknown = client.get(f"/chats/{uuid.uuid4()}", headers=headers)

    assert blank.status_code == 400
    assert page.status_code == 400
    assert unknown.status_code == 404
