"""The API's relay against real Redis: events published before anyone follows
a turn are delivered, then live ones, each once and in order; however many
sockets follow turns, the process reads them over one connection."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import pytest_asyncio
from redis.asyncio import Redis

from api.relay import Relay
from domain.chat.events import TurnPublisher
from domain.settings import get_settings

pytestmark = pytest.mark.asyncio

CLIENT_NAME = "relay-test"


async def _take(queue: asyncio.Queue, count: int) -> list[dict]:
    return [await asyncio.wait_for(queue.get(), 10) for _ in range(count)]


@pytest_asyncio.fixture
async def relay(stack):
    redis = Redis.from_url(get_settings().redis.url, client_name=CLIENT_NAME)
    relay = Relay(redis)
    await relay.start()
    yield relay
    await relay.stop()
    await redis.aclose()


def _publisher(relay: Relay) -> TurnPublisher:
    return TurnPublisher(relay.redis, uuid.uuid4(), uuid.uuid4())


async def test_events_published_before_the_relay_follows_are_delivered_then_live_ones(relay):
    publisher = _publisher(relay)
    for n in range(3):
        await publisher.publish("text_chunk", content=f"early {n} ", chunk_id=n)

    sub = await relay.subscribe(str(publisher.turn_id), 0)
    for n in range(3, 5):
        await publisher.publish("text_chunk", content=f"live {n} ", chunk_id=n)
    await publisher.publish("message_complete", message_id="m", metadata={})
    events = await _take(sub.queue, 6)

    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[-1]["type"] == "message_complete" and sub.done
    assert sub.queue.empty()


async def test_a_resume_gets_only_the_events_after_the_seq_it_names(relay):
    publisher = _publisher(relay)
    for n in range(4):
        await publisher.publish("text_chunk", content=str(n), chunk_id=n)

    sub = await relay.subscribe(str(publisher.turn_id), after_seq=2)
    await publisher.publish("message_complete", message_id="m", metadata={})
    events = await _take(sub.queue, 3)

    assert [e["seq"] for e in events] == [3, 4, 5]


async def test_many_followed_turns_share_one_connection(relay):
    publishers = [_publisher(relay) for _ in range(40)]
    for publisher in publishers:
        await publisher.publish("text_chunk", content="hi", chunk_id=0)

    subs = [await relay.subscribe(str(p.turn_id), 0) for p in publishers]
    for publisher in publishers:
        await publisher.publish("message_complete", message_id="m", metadata={})
    delivered = [await _take(sub.queue, 2) for sub in subs]
    clients = await relay.redis.client_list()

    assert all([e["seq"] for e in events] == [1, 2] for events in delivered)
    # One connection blocked reading every stream, one for commands.
    assert len([c for c in clients if c.get("name") == CLIENT_NAME]) <= 2


async def test_a_turn_stream_lives_six_hours_until_its_final_event_then_one(relay):
    from domain.chat.events import RESUME_WINDOW_S, STREAM_MAX_AGE_S

    publisher = _publisher(relay)
    for n in range(3):
        await publisher.publish("text_chunk", content=str(n), chunk_id=n)
    running_ttl_s = await relay.redis.ttl(publisher.key)

    await publisher.publish("message_complete", message_id="m", metadata={})
    finished_ttl_s = await relay.redis.ttl(publisher.key)

    assert STREAM_MAX_AGE_S - 60 < running_ttl_s <= STREAM_MAX_AGE_S
    assert RESUME_WINDOW_S - 60 < finished_ttl_s <= RESUME_WINDOW_S
