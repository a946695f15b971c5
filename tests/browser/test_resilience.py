"""Flaky networks: the seeker sees that it is offline, messages written meanwhile wait (even across a
reload) and are delivered exactly once with their client_id when the connection comes back."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, WebSocketRoute, expect

from tests.browser.helpers import open_page, staff_login
from tests.support import ServerProcess, create_user

pytestmark = pytest.mark.browser


class Switch:
    """Relays the page's WebSockets to the server; `cut()` drops them and refuses new ones."""

    def __init__(self) -> None:
        self.down = False
        self.routes: list[WebSocketRoute] = []

    async def handle(self, ws: WebSocketRoute) -> None:
        if self.down:
            await ws.close()
            return
        ws.connect_to_server()
        self.routes.append(ws)

    async def cut(self) -> None:
        self.down = True
        for ws in self.routes:
            await ws.close()
        self.routes.clear()


async def test_offline_then_back(browser: Browser, live_server: ServerProcess, clean_state: None) -> None:
    base = live_server.base_url
    await create_user(live_server.env["DATABASE_URL"], "kim", "listener-pass-4", "listener", display_name="Kim")
    seeker = await open_page(browser, base, width=480, height=800)
    listener = await open_page(browser, base)
    switch = Switch()
    await seeker.page.route_web_socket(re.compile(r".*/socket\.io/.*"), switch.handle)

    await seeker.page.goto(base + "/?topic=talk")
    await seeker.page.get_by_role("button", name="Start chat").click()
    await staff_login(listener.page, base, "/listener", "kim", "listener-pass-4")
    await listener.page.get_by_role("button", name="Take next").click()
    chat = listener.page.locator("article.chat-panel")
    await expect(seeker.page.get_by_role("heading", name="Chatting with Kim")).to_be_visible(timeout=10_000)

    await switch.cut()
    await expect(seeker.page.locator(".connection")).to_have_attribute("data-connection", "offline", timeout=5_000)
    await expect(seeker.page.get_by_role("status").filter(has_text="offline")).to_be_visible()

    box = seeker.page.get_by_label("Your message")
    await box.fill("written while offline")
    await box.press("Enter")
    pending = seeker.page.locator(".message--queued")
    await expect(pending).to_contain_text("will retry automatically")

    # Meanwhile the listener writes; the seeker must get it on resume.
    await chat.get_by_label("Reply to the seeker").fill("are you still there?")
    await chat.get_by_label("Reply to the seeker").press("Enter")

    # Even a reload while offline keeps the unsent message.
    await seeker.page.reload()
    await expect(seeker.page.locator(".message--queued")).to_contain_text("written while offline", timeout=5_000)

    switch.down = False
    await expect(seeker.page.locator(".connection")).to_have_attribute("data-connection", "online", timeout=15_000)
    await expect(seeker.page.locator(".message--queued")).to_have_count(0, timeout=10_000)
    await expect(seeker.page.locator(".message--listener")).to_contain_text("are you still there?")
    await expect(chat.locator(".message--seeker", has_text="written while offline")).to_have_count(1, timeout=5_000)
    await seeker.page.wait_for_timeout(1000)
    await expect(chat.locator(".message--seeker", has_text="written while offline")).to_have_count(1)
    await expect(seeker.page.locator(".message--own", has_text="written while offline")).to_have_count(1)

    for watched in (seeker, listener):
        await watched.assert_clean()
        await watched.context.close()
