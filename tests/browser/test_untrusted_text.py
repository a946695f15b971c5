"""Text from the network is text: an HTML/script payload shows literally in all three apps and runs nothing."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, expect

from tests.browser.helpers import open_page, staff_login
from tests.support import ServerProcess, create_user

pytestmark = pytest.mark.browser

# Also a crisis message, so the supervisor gets an escalation to open the conversation from.
PAYLOAD = (
    'I want to kill myself tonight <img src=x onerror="window.__pwned=1">'
    "<script>window.__pwned=2</script><b id=injected>bold</b>"
)
PROBE = "() => ({pwned: window.__pwned ?? null, injected: document.querySelectorAll('#injected, img[src=x]').length})"


async def test_payload_is_text_everywhere(browser: Browser, live_server: ServerProcess, clean_state: None) -> None:
    base = live_server.base_url
    db = live_server.env["DATABASE_URL"]
    await create_user(db, "lou", "listener-pass-2", "listener", topics=("talk",), display_name="Lou <i>x</i>")
    await create_user(db, "sue", "supervisor-pass-2", "supervisor")

    seeker = await open_page(browser, base)
    listener = await open_page(browser, base)
    supervisor = await open_page(browser, base)
    await staff_login(supervisor.page, base, "/supervisor", "sue", "supervisor-pass-2")
    await staff_login(listener.page, base, "/listener", "lou", "listener-pass-2")

    await seeker.page.goto(base + "/?topic=talk")
    await seeker.page.get_by_role("button", name="Start chat").click()
    await expect(seeker.page.get_by_test_id("queue-status")).to_be_visible(timeout=10_000)
    await listener.page.get_by_role("button", name="Take next").click()
    chat = listener.page.locator("article.chat-panel")
    await expect(chat).to_be_visible(timeout=10_000)
    await expect(seeker.page.get_by_role("heading", name="Chatting with Lou <i>x</i>")).to_be_visible(timeout=10_000)

    await seeker.page.get_by_label("Your message").fill(PAYLOAD)
    await seeker.page.get_by_label("Your message").press("Enter")
    await expect(chat.locator(".message--seeker .message__text")).to_have_text(PAYLOAD, timeout=5_000)

    await (
        supervisor.page.locator(".escalation--open")
        .get_by_role("button", name="Open conversation")
        .click(timeout=5_000)
    )
    watch = supervisor.page.locator("article.watch")
    await expect(watch.locator(".message--seeker .message__text").last).to_have_text(PAYLOAD)

    # And back: the listener's reply with markup shows as text to the seeker.
    reply = '<a href="javascript:window.__pwned=3">click</a>'
    await chat.get_by_label("Reply to the seeker").fill(reply)
    await chat.get_by_label("Reply to the seeker").press("Enter")
    await expect(seeker.page.locator(".message--listener .message__text")).to_have_text(reply)
    await expect(seeker.page.locator(".message--own .message__text").last).to_have_text(PAYLOAD)

    for watched in (seeker, listener, supervisor):
        assert await watched.page.evaluate(PROBE) == {"pwned": None, "injected": 0}
        await watched.assert_clean()
        await watched.context.close()
