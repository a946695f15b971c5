"""The whole service in three browser contexts: a seeker on an embedder's page, a listener, a supervisor."""

from __future__ import annotations

import asyncio
import time

import pytest
from playwright.async_api import Browser, FrameLocator, Page, expect

from tests.browser.helpers import NEUTRAL_URL, host_page, open_page, screenshot, staff_login, storage_of
from tests.support import ServerProcess, create_user

pytestmark = pytest.mark.browser

LISTENER = ("lena", "listener-pass-1")
SUPERVISOR = ("sam", "supervisor-pass-1")
CRISIS_TEXT = "I want to kill myself tonight"
WHISPER = "Ask gently about a safety plan"


def frame_of(page: Page) -> FrameLocator:
    return page.frame_locator("iframe[data-peerline='frame']")


async def open_widget(page: Page) -> FrameLocator:
    await page.get_by_role("button", name="Talk to a peer").click()
    frame = frame_of(page)
    await expect(frame.get_by_role("button", name="Quick exit")).to_be_visible()
    return frame


async def test_seeker_listener_supervisor(browser: Browser, live_server: ServerProcess, clean_state: None) -> None:
    base = live_server.base_url
    db = live_server.env["DATABASE_URL"]
    await create_user(db, LISTENER[0], LISTENER[1], "listener", topics=("veterans", "talk"), display_name="Lena")
    await create_user(db, SUPERVISOR[0], SUPERVISOR[1], "supervisor", display_name="Sam")

    seeker = await open_page(browser, base, width=1024, height=800)
    listener = await open_page(browser, base)
    supervisor = await open_page(browser, base)
    embedder = base + "/embedder-demo"  # served by the test, same origin as the widget for frame-ancestors
    await seeker.context.route(
        embedder, lambda route: route.fulfill(content_type="text/html", body=host_page(base, "veterans"))
    )

    # The seeker opens the widget on the embedder's page and asks for a chat.
    await seeker.page.goto(embedder)
    frame = await open_widget(seeker.page)
    await expect(frame.get_by_label("What would you like to talk about?")).to_have_value("veterans")
    await frame.get_by_label("What's on your mind? (optional)").fill("Hi, I'd like to talk to someone")
    await frame.get_by_role("button", name="Start chat").click()
    await expect(frame.get_by_test_id("queue-status")).to_contain_text("number 1", timeout=10_000)
    await screenshot(seeker.page, "seeker-widget-waiting")

    # The supervisor is watching; the listener logs in and takes the chat from the queue.
    await staff_login(supervisor.page, base, "/supervisor", *SUPERVISOR)
    await staff_login(listener.page, base, "/listener", *LISTENER)
    take = listener.page.get_by_role("button", name="Take chat about Veterans", exact=False)
    await expect(take).to_be_visible(timeout=10_000)
    await take.click()
    listener_chat = listener.page.locator("article.chat-panel")
    await expect(listener_chat).to_contain_text("Hi, I'd like to talk to someone")
    await expect(frame.get_by_role("heading", name="Chatting with Lena")).to_be_visible(timeout=10_000)

    # Messages both ways, and the typing indicator.
    reply = listener.page.get_by_label("Reply to the seeker")
    await reply.fill("Hello, I'm Lena. I'm here to listen.")
    await expect(frame.locator(".typing")).to_contain_text("Lena is typing", timeout=5_000)
    await reply.press("Enter")
    await expect(frame.locator(".message--listener")).to_contain_text("I'm here to listen")
    seeker_box = frame.get_by_label("Your message")
    await seeker_box.fill("Thank you. Things have been hard since I came home.")
    await seeker_box.press("Enter")
    await expect(listener_chat.locator(".message--seeker").last).to_contain_text("since I came home")
    await expect(frame.locator(".message--own").last).not_to_contain_text("Sending")

    # A crisis message: the supervisor sees the alert within 2 s; the seeker gets the resources panel.
    await seeker_box.fill(CRISIS_TEXT)
    sent_at = time.monotonic()
    await seeker_box.press("Enter")
    alert = supervisor.page.locator(".escalation--open")
    await expect(alert).to_be_visible(timeout=2_000)
    assert time.monotonic() - sent_at < 2.0
    await expect(frame.get_by_test_id("crisis-panel")).to_be_visible(timeout=2_000)
    await expect(listener_chat.locator(".badge--high, .badge--imminent")).to_be_visible(timeout=5_000)
    await screenshot(supervisor.page, "supervisor-alert")

    # Ack, open the conversation live, whisper to the listener.
    await alert.get_by_role("button", name="Acknowledge").click()
    await expect(supervisor.page.locator(".escalation--acknowledged")).to_be_visible()
    await supervisor.page.get_by_role("button", name="Open conversation").click()
    watch = supervisor.page.locator("article.watch")
    await expect(watch).to_contain_text(CRISIS_TEXT)
    await expect(watch.get_by_label("Only the listener (whisper)")).to_be_checked()
    await watch.get_by_label("Whisper to the listener").fill(WHISPER)
    await watch.get_by_role("button", name="Whisper").click()
    await expect(watch.locator(".message--whisper")).to_contain_text(WHISPER)
    await expect(listener_chat.locator(".message--whisper")).to_contain_text(WHISPER, timeout=5_000)
    await screenshot(supervisor.page, "supervisor")
    await screenshot(listener.page, "listener")
    await asyncio.sleep(1.0)
    assert await frame.get_by_text(WHISPER).count() == 0

    # The seeker reloads: the panel reopens and the history comes back (without the whisper).
    await seeker.page.reload()
    frame = frame_of(seeker.page)
    messages = frame.locator("ol.messages")
    await expect(messages).to_contain_text("Hi, I'd like to talk to someone", timeout=10_000)
    await expect(messages).to_contain_text("I'm here to listen")
    await expect(messages).to_contain_text(CRISIS_TEXT)
    await expect(frame.get_by_test_id("crisis-panel")).to_be_visible()
    assert await frame.get_by_text(WHISPER).count() == 0
    await screenshot(seeker.page, "seeker-widget")
    await frame.get_by_role("button", name="Hide this and keep chatting").click()
    await expect(frame.get_by_role("button", name="Show crisis resources")).to_be_visible()

    # Messages still flow after the reload.
    await frame.get_by_label("Your message").fill("I'm still here")
    await frame.get_by_label("Your message").press("Enter")
    await expect(listener_chat.locator(".message--seeker").last).to_contain_text("I'm still here")
    await screenshot(seeker.page, "seeker-widget-chat")

    for watched in (seeker, listener, supervisor):
        await watched.assert_clean()

    # Quick exit: the page is replaced by a neutral one and nothing is left in storage.
    await frame.get_by_role("button", name="Quick exit").click()
    await seeker.page.wait_for_url(NEUTRAL_URL, timeout=5_000)
    await seeker.page.goto(base + "/healthz")
    assert await storage_of(seeker.page) == {"session": [], "local": [], "cookies": ""}
    state = await seeker.context.storage_state()
    assert state["cookies"] == []
    assert all(not origin["localStorage"] for origin in state["origins"])
    await expect(listener_chat).to_contain_text("The seeker ended the chat", timeout=5_000)
    # the supervisor watching is told why it ended, not only that it did
    await expect(supervisor.page.locator("article.watch")).to_contain_text(
        "The seeker ended the chat or left with Quick exit", timeout=5_000
    )

    for watched in (seeker, listener, supervisor):
        await watched.context.close()


async def test_escape_twice_and_standalone_page(
    browser: Browser, live_server: ServerProcess, clean_state: None
) -> None:
    """The standalone page at `/`: keyboard only, 320 px wide, Escape twice quick-exits."""
    base = live_server.base_url
    seeker = await open_page(browser, base, width=320, height=640)
    page = seeker.page
    await page.goto(base + "/?topic=talk")
    await expect(page.get_by_label("What would you like to talk about?")).to_have_value("talk")
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 320
    await screenshot(page, "seeker-320px")

    # Crisis contacts are one tap (one Enter) away.
    from tests.browser.helpers import tab_to

    await tab_to(page, "button[aria-controls='crisis-contacts']")
    await page.keyboard.press("Enter")
    await expect(page.locator("#crisis-contacts")).to_be_visible()
    await expect(page.locator("#crisis-contacts")).to_contain_text("988")

    await tab_to(page, "#first-message")
    await page.keyboard.type("Just need to talk")
    await tab_to(page, "button[type='submit']")
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("queue-status")).to_be_visible(timeout=10_000)
    assert "peerline.seeker" in (await storage_of(page))["session"]

    await page.keyboard.press("Escape")
    await page.keyboard.press("Escape")
    await page.wait_for_url(NEUTRAL_URL, timeout=5_000)
    await page.goto(base + "/healthz")
    assert await storage_of(page) == {"session": [], "local": [], "cookies": ""}
    await seeker.assert_clean()
    await seeker.context.close()
