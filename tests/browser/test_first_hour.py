"""Issue 15, "the first hour", in Chromium at desktop width and at 375 px: take-over that survives a
reload, names that stay true, the listener told in plain words, the crisis card following the
supervisor, the no-supervisor notice, and crisis links that dial exactly what they show."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.helpers import open_page, screenshot, staff_login
from tests.support import ServerProcess, create_user

pytestmark = pytest.mark.browser

LISTENER = ("lena", "listener-pass-1")
SUPERVISOR = ("sam", "supervisor-pass-1")
CRISIS_TEXT = "I want to kill myself tonight"
WIDTHS = [pytest.param(1280, id="desktop"), pytest.param(375, id="phone")]


async def start_seeker_chat(page: Page, base: str, first: str) -> None:
    await page.goto(base + "/?topic=talk")
    await page.get_by_label("What's on your mind? (optional)").fill(first)
    await page.get_by_role("button", name="Start chat").click()
    await expect(page.get_by_test_id("queue-status")).to_be_visible(timeout=10_000)


async def listener_takes(page: Page) -> None:
    take = page.get_by_role("button", name="Take chat about", exact=False)
    await expect(take.first).to_be_visible(timeout=10_000)
    await take.first.click()


@pytest.mark.parametrize("width", WIDTHS)
async def test_take_over_survives_a_reload_and_names_stay_true(
    browser: Browser, live_server: ServerProcess, clean_state: None, width: int
) -> None:
    base = live_server.base_url
    db = live_server.env["DATABASE_URL"]
    await create_user(db, LISTENER[0], LISTENER[1], "listener", topics=("talk",), display_name="Lena")
    await create_user(db, SUPERVISOR[0], SUPERVISOR[1], "supervisor", display_name="Sam")
    seeker = await open_page(browser, base, width=width, height=800)
    listener = await open_page(browser, base, width=width, height=900)
    supervisor = await open_page(browser, base, width=width, height=900)
    phone = width < 500

    await start_seeker_chat(seeker.page, base, "Hi, I'd like to talk")
    await staff_login(supervisor.page, base, "/supervisor", *SUPERVISOR)
    await staff_login(listener.page, base, "/listener", *LISTENER)
    await listener_takes(listener.page)
    listener_chat = listener.page.locator("article.chat-panel")
    reply = listener.page.get_by_label("Reply to the seeker")
    await reply.fill("Hello, I'm Lena.")
    await reply.press("Enter")
    transcript = seeker.page.locator("ol.messages")
    await expect(transcript.locator(".message--listener")).to_contain_text("Hello, I'm Lena.", timeout=10_000)

    box = seeker.page.get_by_label("Your message")
    await box.fill(CRISIS_TEXT)
    await box.press("Enter")
    card = supervisor.page.locator(".escalation").first
    await expect(card).to_have_attribute("data-status", "open", timeout=5_000)

    # Opening the conversation acknowledges the alert: no "Not acknowledged", no re-alert.
    await card.get_by_role("button", name="Open conversation").click()
    await expect(card).to_have_attribute("data-status", "acknowledged", timeout=5_000)
    await expect(card).to_contain_text("acknowledged by Sam")
    # The listener sees who is on it, next to the crisis guide.
    support = listener_chat.get_by_test_id("crisis-support")
    await expect(support.get_by_test_id("crisis-supervisor")).to_contain_text(
        "Sam (supervisor) has acknowledged", timeout=5_000
    )
    watch = supervisor.page.locator("article.watch")
    await expect(watch).to_contain_text(CRISIS_TEXT)
    await watch.get_by_role("button", name="Take over").click()
    await watch.get_by_role("button", name="Yes, take over").click()

    # The seeker is told in a plain line; the listener in plain words, never a code.
    await expect(transcript.locator(".message--system")).to_have_text(
        re.compile("Sam, a supervisor, has joined to help."), timeout=5_000
    )
    released = listener_chat.locator(".notice")
    await expect(released).to_contain_text("A supervisor has taken over this chat", timeout=5_000)
    assert "take_over" not in (await listener_chat.inner_text())
    await expect(card).to_contain_text("taken over by Sam")
    await screenshot(listener.page, f"listener-released-{width}")

    # The dashboard is reloaded: it still knows the take-over, and writes to the seeker.
    await supervisor.page.reload()
    await expect(supervisor.page.locator(".connection")).to_have_attribute("data-connection", "online", timeout=10_000)
    watch = supervisor.page.locator("article.watch")
    await expect(watch).to_contain_text("you took over", timeout=10_000)
    await expect(watch.get_by_role("button", name="Take over")).to_have_count(0)
    await expect(watch.get_by_label("Whisper to the listener")).to_have_count(0)
    await expect(watch.get_by_test_id("to-seeker")).to_be_visible()
    composer = watch.get_by_label("Message to the seeker")
    await composer.fill("I'm Sam, I'm here with you now.")
    await watch.get_by_role("button", name="Send").click()
    await expect(transcript.locator(".message--supervisor")).to_contain_text("I'm here with you now", timeout=5_000)
    await screenshot(supervisor.page, f"supervisor-take-over-after-reload-{width}")

    # Every message keeps its own sender's name: Lena's words are not relabelled as Sam's.
    await expect(transcript.locator(".message--listener .message__sender")).to_have_text("Lena (listener)")
    await expect(transcript.locator(".message--supervisor .message__sender")).to_have_text("Sam (supervisor)")
    await expect(watch.locator(".message--listener .message__sender")).to_have_text("Lena (listener)")
    await screenshot(seeker.page, f"seeker-supervisor-joined-{width}")
    if phone:
        assert await seeker.page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert await supervisor.page.evaluate("() => document.documentElement.scrollWidth") <= width

    for watched in (seeker, listener, supervisor):
        await watched.assert_clean()
        await watched.context.close()


@pytest.mark.parametrize("width", WIDTHS)
async def test_listener_is_told_when_no_supervisor_is_online(
    browser: Browser, live_server: ServerProcess, clean_state: None, width: int
) -> None:
    base = live_server.base_url
    await create_user(
        live_server.env["DATABASE_URL"], LISTENER[0], LISTENER[1], "listener", topics=("talk",), display_name="Lena"
    )
    seeker = await open_page(browser, base, width=width, height=800)
    listener = await open_page(browser, base, width=width, height=900)
    await start_seeker_chat(seeker.page, base, "Hi")
    await staff_login(listener.page, base, "/listener", *LISTENER)
    await listener_takes(listener.page)
    await expect(listener.page.locator("article.chat-panel")).to_contain_text("Hi", timeout=10_000)
    box = seeker.page.get_by_label("Your message")
    await box.fill(CRISIS_TEXT)
    await box.press("Enter")
    notice = listener.page.get_by_test_id("listener-notice")
    await expect(notice).to_contain_text("No supervisor is online", timeout=5_000)
    # The shared test server has no pager: the notice must not claim one was called.
    await expect(notice).to_contain_text("no pager is set up")
    await expect(notice).not_to_contain_text("has been called")
    # At the moment it is needed: which message raised it, what the seeker saw, and a calm guide for peers.
    chat = listener.page.locator("article.chat-panel")
    support = chat.get_by_test_id("crisis-support")
    await expect(support).to_contain_text("Crisis flagged: imminent risk, suicide")
    await expect(support).to_contain_text("The seeker has been shown crisis contacts.")
    await expect(support.get_by_test_id("crisis-supervisor")).to_contain_text("No supervisor is online")
    await expect(support.locator("details")).to_contain_text("Ask directly")
    flagged = chat.locator(".message--flagged")
    await expect(flagged).to_have_count(1)
    await expect(flagged).to_contain_text(CRISIS_TEXT)
    await expect(flagged).to_contain_text("Raised the crisis flag")
    await screenshot(listener.page, f"listener-no-supervisor-{width}")
    for watched in (seeker, listener):
        await watched.assert_clean()
        await watched.context.close()


def _dialled(href: str) -> tuple[str, str, str | None, str | None]:
    """(scheme, number, key pressed after a pause, text body) of a tel:/sms: link."""
    scheme, _, rest = href.partition(":")
    rest, _, query = rest.partition("?")
    number, _, key = rest.partition(",")
    body = query.removeprefix("body=") if query.startswith("body=") else None
    return scheme, number, key or None, body


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", WIDTHS)
async def test_every_crisis_link_dials_or_texts_exactly_what_it_shows(
    browser: Browser, live_server: ServerProcess, clean_state: None, width: int, language: str
) -> None:
    seeker = await open_page(browser, live_server.base_url, width=width, height=800)
    page = seeker.page
    await page.goto(f"{live_server.base_url}/?topic=talk&language={language}")
    await page.locator("button[aria-controls='crisis-contacts']").first.click()
    links = page.locator("#crisis-contacts a")
    await expect(links.first).to_be_visible()
    count = await links.count()
    assert count >= 5
    verb = {"tel": ("Call", "Llama"), "sms": ("Text", "Envía")}
    for i in range(count):
        link = links.nth(i)
        text = (await link.inner_text()).strip()
        href = await link.get_attribute("href") or ""
        scheme, number, key, body = _dialled(href)
        assert scheme in verb, href
        shown = re.search(r"\d[\d ]*\d|\d", text)
        assert shown is not None and shown.group(0).replace(" ", "") == number, (text, href)  # the number shown
        assert text.startswith(verb[scheme]), (text, href)
        if key is not None:
            assert f"press {key}" in text or f"pulsa {key}" in text, (text, href)
        if body is not None:
            assert f" {body} " in f" {text} ", (text, href)  # a text line gets the keyword it expects
    await seeker.assert_clean()
    await seeker.context.close()


# Records what the dashboard asks of the Notification API (Chromium's real one needs a desktop session),
# and makes the page look unfocused, as a dashboard left in a background tab is.
_FAKE_NOTIFICATIONS = """
window.__asked = 0;
window.__notes = [];
class FakeNotification {
  static permission = "default";
  static requestPermission() {
    window.__asked += 1;
    FakeNotification.permission = "granted";
    return Promise.resolve("granted");
  }
  constructor(title, options) {
    window.__notes.push({ title, body: options && options.body, tag: options && options.tag });
  }
  close() {}
}
window.Notification = FakeNotification;
document.hasFocus = () => false;
"""


@pytest.mark.parametrize("width", WIDTHS)
async def test_supervisor_banner_notification_and_transcript_follow_the_newest(
    browser: Browser, live_server: ServerProcess, clean_state: None, width: int
) -> None:
    base = live_server.base_url
    db = live_server.env["DATABASE_URL"]
    await create_user(db, LISTENER[0], LISTENER[1], "listener", topics=("talk",), display_name="Lena")
    await create_user(db, SUPERVISOR[0], SUPERVISOR[1], "supervisor", display_name="Sam")
    seeker = await open_page(browser, base, width=width, height=800)
    listener = await open_page(browser, base, width=width, height=900)
    supervisor = await open_page(browser, base, width=width, height=900)
    await supervisor.context.add_init_script(_FAKE_NOTIFICATIONS)

    await staff_login(supervisor.page, base, "/supervisor", *SUPERVISOR)
    assert await supervisor.page.evaluate("() => window.__asked") == 1  # asked on sign-in, a user gesture
    await start_seeker_chat(seeker.page, base, "Hi")
    await staff_login(listener.page, base, "/listener", *LISTENER)
    await listener_takes(listener.page)
    await expect(listener.page.locator("article.chat-panel")).to_contain_text("Hi", timeout=10_000)
    box = seeker.page.get_by_label("Your message")
    await box.fill(CRISIS_TEXT)
    await box.press("Enter")

    banner = supervisor.page.get_by_test_id("alert-banner")
    await expect(banner).to_contain_text("imminent risk, suicide — Just need to talk, English", timeout=5_000)
    card = supervisor.page.locator(".escalation").first
    await expect(card.locator(".escalation__where")).to_have_text("Just need to talk · English")
    notes = await supervisor.page.evaluate("() => window.__notes")
    assert len(notes) == 1 and "imminent risk" in notes[0]["body"]
    assert "kill" not in notes[0]["body"].lower()  # a lock screen never shows what the seeker wrote
    await screenshot(supervisor.page, f"supervisor-banner-{width}")

    await banner.get_by_role("button", name="Open conversation").click()
    await expect(banner).to_have_count(0, timeout=5_000)  # joining acknowledged it
    watch = supervisor.page.locator("article.watch")
    for i in range(14):
        await box.fill(f"line {i} of a long invented story that takes some room on a small screen")
        await box.press("Enter")
    await expect(watch.locator(".message--seeker").last).to_contain_text("line 13", timeout=10_000)
    transcript = watch.locator("ol.messages")
    # the newest message stays in view: the list follows it (a person who scrolled up is left alone)
    await supervisor.page.wait_for_function(
        "(l) => l.scrollHeight - l.scrollTop - l.clientHeight < 4", arg=await transcript.element_handle(), timeout=5_000
    )
    assert await transcript.evaluate("(l) => l.scrollHeight > l.clientHeight")  # it did need scrolling
    for watched in (seeker, listener, supervisor):
        await watched.assert_clean()
        await watched.context.close()


@pytest.mark.parametrize("width", WIDTHS)
async def test_a_new_listener_is_prompted_out_of_away(
    browser: Browser, live_server: ServerProcess, clean_state: None, width: int
) -> None:
    base = live_server.base_url
    await create_user(
        live_server.env["DATABASE_URL"], LISTENER[0], LISTENER[1], "listener", topics=("talk",), display_name="Lena"
    )
    seeker = await open_page(browser, base, width=width, height=800)
    listener = await open_page(browser, base, width=width, height=900)
    await start_seeker_chat(seeker.page, base, "Hi")
    await staff_login(listener.page, base, "/listener", *LISTENER)
    prompt = listener.page.get_by_test_id("away-prompt")
    await expect(prompt).to_contain_text("no chats will be assigned to you")
    await screenshot(listener.page, f"listener-away-prompt-{width}")
    await prompt.get_by_role("button", name="I'm ready: set me Available").click()
    await expect(prompt).to_have_count(0)
    await expect(listener.page.get_by_label("Available")).to_be_checked()
    # available: the waiting seeker is assigned without anyone taking it by hand
    await expect(listener.page.locator("article.chat-panel")).to_contain_text("Hi", timeout=10_000)
    await expect(seeker.page.get_by_role("heading", name="Chatting with Lena")).to_be_visible(timeout=10_000)
    for watched in (seeker, listener):
        await watched.assert_clean()
        await watched.context.close()


async def test_a_listener_taking_a_chat_flagged_while_it_waited_sees_why_even_after_a_reload(
    browser: Browser, live_server: ServerProcess, clean_state: None
) -> None:
    """The crisis seeker was moved to the front of the queue before any listener had the chat: the one who
    takes it sees the crisis panel (which words, what the seeker saw, the guide), and again after a reload."""
    base = live_server.base_url
    await create_user(
        live_server.env["DATABASE_URL"], LISTENER[0], LISTENER[1], "listener", topics=("talk",), display_name="Lena"
    )
    seeker = await open_page(browser, base, width=1280, height=800)
    listener = await open_page(browser, base, width=1280, height=900)
    await start_seeker_chat(seeker.page, base, CRISIS_TEXT)  # flagged while nobody was responding
    await staff_login(listener.page, base, "/listener", *LISTENER)
    await listener_takes(listener.page)
    for attempt in ("taken", "reloaded"):
        chat = listener.page.locator("article.chat-panel")
        support = chat.get_by_test_id("crisis-support")
        await expect(support).to_contain_text("Crisis flagged: imminent risk, suicide", timeout=10_000)
        await expect(support).to_contain_text("The seeker has been shown crisis contacts.")
        await expect(support.locator("details")).to_contain_text("Ask directly")
        flagged = chat.locator(".message--flagged")
        await expect(flagged).to_have_count(1)
        await expect(flagged).to_contain_text(CRISIS_TEXT)
        if attempt == "taken":
            await listener.page.reload()
    for watched in (seeker, listener):
        await watched.assert_clean()
        await watched.context.close()
