"""The chat page in a real browser: sign-up, a streamed grounded answer with
tool chips, a chart and the demo banner; resuming after a reload or a lost
connection; Stop; user, model and tool text that never becomes markup;
figures no tool backs marked; the rate-limit refusal; the list of chats.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.chat.support import limit_user
from tests.helpers import PASSWORD, code_in, new_email, new_username
from tests.web.conftest import ScriptedModel
from tests.web.pages import ANSWER_TIMEOUT_MS, ask, last_answer, running_turn, sign_in
from tests.web.pages import wait_until_answered as answered

DURATION = re.compile(r"^\d+(\.\d)? (ms|s)$")
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-chat.png"
# Tall enough for the question, the tool chip, the chart and the answer's start.
SCREENSHOT_VIEWPORT = {"width": 1280, "height": 960}
# Markup that would run if it ever reached the page as HTML.
EVIL = "<img src=x onerror=window.pwned=1>"
RECORD_EVENTS = """() => {
  const socket = window.kubera.socket;
  const deliver = socket.onEvent;
  window.seenEvents = [];
  socket.onEvent = (event) => { window.seenEvents.push(event.type); deliver(event); };
}"""


def _sign_up(page: Page, mailbox) -> None:
    email = new_email()
    page.goto("/app")
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Send me a code").click()
    code = code_in(mailbox.wait_for(email, "verification code"))

    page.get_by_label("Verification code").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator(".form-error")).to_contain_text("code")
    expect(page.get_by_label("Verification code")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Verification code").fill(code)
    page.get_by_role("button", name="Verify").click()
    page.get_by_label("Username", exact=True).fill(new_username())
    page.get_by_label("Password", exact=True).fill("weakpass")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".form-error")).to_contain_text("Password needs")
    expect(page.get_by_label("Password", exact=True)).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="New chat")).to_be_visible()


def test_a_new_user_signs_up_and_sees_a_streamed_analysis_with_tools_and_a_chart(
    page: Page, mailbox
):
    _sign_up(page, mailbox)
    page.evaluate(RECORD_EVENTS)

    ask(page, "Analyse INFY")
    answer = answered(page)
    chip = answer.locator(".chip").first
    chip.click()

    seen = page.evaluate("window.seenEvents")
    assert seen.count("text_chunk") > 1 and "tool_call_start" in seen
    assert seen.index("tool_call_start") < seen.index("message_complete")
    expect(answer.locator(".md")).to_contain_text("Infosys")
    expect(answer.get_by_role("heading", name=re.compile("overview"))).to_be_visible()
    expect(answer.locator(".demo-banner")).to_be_visible()
    expect(chip).to_have_attribute("aria-expanded", "true")
    expect(chip).to_contain_text("fetch_current_price_data")
    expect(chip.locator(".chip-time")).to_have_text(DURATION)
    expect(answer.locator("pre.tool-result").first).to_contain_text('"source": "demo"')
    expect(answer.locator(".chart .main-svg").first).to_be_visible()

    page.get_by_role("button", name="+ New chat").click()
    ask(page, "Show me a chart of INFY")
    chart = answered(page).locator(".chart .main-svg").first
    expect(chart).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator(".chat-item")).to_have_count(2)
    expect(page.locator(".chat-item a[aria-current=page]")).to_have_text("Show me a chart of INFY")
    expect(page.get_by_role("heading", name="Show me a chart of INFY", level=1)).to_be_visible()
    _take_screenshot(page)


def _take_screenshot(page: Page) -> None:
    """The README's picture: the question at the top of the pane, then the
    answer's banner, tool chip, chart and the start of its text."""
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    page.locator("article.msg.user").last.evaluate("node => node.scrollIntoView()")
    expect(page.locator("article.msg.user").last).to_be_in_viewport()
    expect(last_answer(page).locator(".chip").first).to_be_in_viewport()
    expect(last_answer(page).locator(".md h4").first).to_be_in_viewport()
    page.evaluate("document.activeElement.blur()")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))


def test_a_reload_mid_answer_replays_it_and_shows_the_rest_once(page: Page, account, slow_model):
    sign_in(page, account)
    ask(page, "Write a long essay")
    expect(last_answer(page).locator(".md")).to_have_text(slow_model.first)

    page.reload()
    expect(last_answer(page).locator(".md")).to_have_text(slow_model.first)
    slow_model.go_on.set()

    answer = answered(page)
    expect(answer.locator(".md")).to_have_text(slow_model.first + slow_model.second)
    expect(page.locator("article.answer")).to_have_count(1)
    expect(page.locator("article.msg.user")).to_have_count(1)
    assert running_turn(page) is None


def test_a_lost_connection_reconnects_and_resumes_after_the_last_seq(
    page: Page, account, slow_model
):
    sign_in(page, account)
    ask(page, "Write a long essay")
    expect(last_answer(page).locator(".md")).to_have_text(slow_model.first)
    seq_before = running_turn(page)["last_seq"]

    page.evaluate("window.kubera.socket.ws.close()")
    expect(page.locator(".conn")).to_contain_text("reconnecting")
    expect(page.locator(".conn")).to_be_hidden()
    slow_model.go_on.set()

    answer = answered(page)
    expect(answer.locator(".md")).to_have_text(slow_model.first + slow_model.second)
    assert seq_before >= 1


def test_stop_cancels_the_answer_and_keeps_what_was_written(page: Page, account, slow_model):
    from domain.chat.cancel import cancel_key

    sign_in(page, account)
    ask(page, "Write a long essay")
    expect(last_answer(page).locator(".md")).to_have_text(slow_model.first)
    turn_id = running_turn(page)["turn_id"]

    page.get_by_role("button", name="Stop").click()
    _wait_for_key(cancel_key(turn_id))
    slow_model.go_on.set()

    answer = answered(page)
    expect(answer.locator(".meta")).to_contain_text("Stopped")
    expect(answer.locator(".md")).to_have_text(slow_model.first)
    expect(page.get_by_role("button", name="Send")).to_be_visible()


def test_html_in_a_message_is_shown_as_text_and_never_runs(page: Page, account, dialogs):
    payload = "<img src=x onerror=alert(1)>"
    sign_in(page, account)

    ask(page, payload)
    answered(page)

    expect(page.locator("article.msg.user .user-text")).to_have_text(payload)
    expect(page.locator(".messages img")).to_have_count(0)
    expect(page.locator(".chat-item a").first).to_contain_text("<img")
    assert dialogs == []


def test_html_from_the_model_or_a_tool_is_shown_as_text_and_unbacked_figures_are_marked(
    page: Page, account, use_model, monkeypatch, dialogs
):
    import mcp_servers.visualization as charts

    real_publish = charts.publish
    monkeypatch.setattr(  # as if the data source named the company with markup
        charts,
        "publish",
        lambda report, kind, title, *rest: real_publish(report, kind, f"{EVIL} {title}", *rest),
    )
    use_model(
        ScriptedModel(
            "generate_price_volume_chart",
            {"symbol": "INFY"},
            f"Here is the chart {EVIL}\n\n<script>window.pwned=2</script>\n\n"
            "[a link](javascript:window.pwned=3)\n\nIts fair value is 12,345.67.",
        )
    )
    sign_in(page, account)

    ask(page, "Chart of INFY")
    answer = answered(page)
    expect(answer.locator(".chart .main-svg").first).to_be_visible()
    answer.locator(".chip").first.click()

    expect(answer.locator(".md")).to_contain_text(f"Here is the chart {EVIL}")
    expect(answer.locator(".md")).to_contain_text("<script>window.pwned=2</script>")
    expect(answer.locator(".md")).to_contain_text("a link")
    expect(answer.locator(".md a")).to_have_count(0)
    expect(answer.locator(".chart .gtitle")).to_contain_text(EVIL)
    expect(answer.locator("pre.tool-result")).to_contain_text(f'"title": "{EVIL}')
    expect(page.locator(".messages img, .messages script")).to_have_count(0)
    assert page.evaluate("window.pwned") is None and dialogs == []

    expect(answer.locator(".md mark")).to_have_text("12,345.67")
    expect(answer.locator(".meta")).to_contain_text("1 figure was not found in any tool result")


def test_a_refused_prompt_names_the_limit_and_when_to_retry(page: Page, account):
    limit_user(account["user"]["id"], burst_per_minute=1)
    sign_in(page, account)

    ask(page, "price of TCS")
    answered(page)
    ask(page, "price of ITC")

    note = page.locator(".composer-note")
    expect(note).to_contain_text("per-minute limit of 1 message.")
    expect(note).to_contain_text(re.compile(r"Try again in \d+ (s|min) \(at \d"))
    expect(page.get_by_label("Message to Kubera")).to_have_value("price of ITC")


def test_chats_are_listed_renamed_and_deleted_from_the_side_list(page: Page, account, client):
    from tests.helpers import bearer

    headers = bearer(account["access_token"])
    chat = client.post("/chats/", json={"title": "Banks to watch"}, headers=headers).json()
    sign_in(page, account)
    item = page.locator(f".chat-item[data-chat-id='{chat['id']}']")

    item.get_by_role("button", name="Rename chat: Banks to watch").click()
    page.get_by_label("Title").fill("Private banks")
    page.get_by_label("Title").press("Enter")
    expect(item.locator("a")).to_have_text("Private banks")

    item.get_by_role("button", name="Rename chat: Private banks").click()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(item.get_by_role("button", name="Rename chat: Private banks")).to_be_focused()

    item.get_by_role("button", name="Delete chat: Private banks").click()
    page.get_by_role("button", name="Delete chat", exact=True).click()
    expect(item).to_have_count(0)
    assert client.get(f"/chats/{chat['id']}", headers=headers).status_code == 404


def _wait_for_key(key: str, limit_s: float = 20.0) -> None:
    import redis

    from domain.settings import get_settings

    client = redis.Redis.from_url(get_settings().redis.url)
    deadline = time.monotonic() + limit_s
    try:
        while not client.exists(key):  # the API sets it when it handles cancel
            assert time.monotonic() < deadline, f"{key} never appeared"
            time.sleep(0.01)
    finally:
        client.close()
