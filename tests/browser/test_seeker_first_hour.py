"""Issue 15, the seeker's first hour in Chromium (desktop and a 375 px phone): the wait is honest, leaving
the queue takes a confirmation, a listener joining or replying reaches a tab in the background, and on a
phone the crisis panel, the header and the waiting screen leave the chat usable."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, expect

from tests.browser.helpers import open_page, screenshot, staff_login
from tests.support import ServerProcess, create_user

pytestmark = pytest.mark.browser

LISTENER = ("lena", "listener-pass-1")
CRISIS_TEXT = "I want to kill myself tonight"
LONG_FIRST = "Hi. " + "I have had a long and difficult week and I would like to talk it through with someone. " * 3
SIZES = [pytest.param((1280, 900), id="desktop"), pytest.param((375, 667), id="phone")]

# The seeker's tab is in the background (another window has focus); tones are counted as they start.
_BACKGROUND = """
document.hasFocus = () => false;
window.__tones = 0;
const originalOscillator = AudioContext.prototype.createOscillator;
AudioContext.prototype.createOscillator = function () {
  window.__tones += 1;
  return originalOscillator.call(this);
};
"""


async def in_viewport(page: Page, selector: str) -> bool:
    return await page.evaluate(
        """(s) => { const r = document.querySelector(s).getBoundingClientRect();
                   return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        selector,
    )


@pytest.mark.parametrize("size", SIZES)
async def test_seeker_waits_honestly_is_called_back_and_keeps_the_chat_usable(
    browser: Browser, live_server: ServerProcess, clean_state: None, size: tuple[int, int]
) -> None:
    width, height = size
    phone = width < 500
    base = live_server.base_url
    await create_user(
        live_server.env["DATABASE_URL"], LISTENER[0], LISTENER[1], "listener", topics=("talk",), display_name="Lena"
    )
    seeker = await open_page(browser, base, width=width, height=height)
    await seeker.context.add_init_script(_BACKGROUND)
    listener = await open_page(browser, base)
    page = seeker.page

    await page.goto(base + "/?topic=talk")
    await page.get_by_label("What's on your mind? (optional)").fill(LONG_FIRST)
    await page.get_by_role("button", name="Start chat").click()
    status = page.get_by_test_id("queue-status")
    await expect(status).to_contain_text("number 1", timeout=10_000)
    # No pairing seen yet: no made-up number.
    await expect(status).to_contain_text("We can't estimate the wait right now.")
    assert await in_viewport(page, "[data-testid='queue-status']")  # not scrolled past the place in line

    # Leaving the queue takes a second, deliberate tap.
    await page.get_by_role("button", name="Leave the queue").click()
    await expect(page.get_by_role("group", name="Leave the queue?")).to_be_visible()
    await screenshot(page, f"seeker-leave-queue-confirm-{width}")
    await page.get_by_role("button", name="Keep my place").click()
    await expect(status).to_contain_text("number 1")

    # A listener joins and writes while the tab is in the background: title flash and a chime.
    await staff_login(listener.page, base, "/listener", *LISTENER)
    take = listener.page.get_by_role("button", name="Take chat about", exact=False)
    await expect(take.first).to_be_visible(timeout=10_000)
    await take.first.click()
    await expect(page.get_by_role("heading", name="Chatting with Lena")).to_be_visible(timeout=10_000)
    await page.wait_for_function("() => document.title.startsWith('●')", timeout=5_000)
    assert "Lena" not in await page.title() and "kill" not in (await page.title()).lower()
    tones_after_join = await page.evaluate("() => window.__tones")
    assert tones_after_join > 0
    reply = listener.page.get_by_label("Reply to the seeker")
    await reply.fill("Hello, I'm Lena.")
    await reply.press("Enter")
    await expect(page.locator(".message--listener")).to_contain_text("Hello, I'm Lena.", timeout=5_000)
    await page.wait_for_function("(n) => window.__tones > n", arg=tones_after_join, timeout=5_000)

    box = page.get_by_label("Your message")
    await box.fill(CRISIS_TEXT)
    await box.press("Enter")
    await expect(page.get_by_test_id("crisis-panel")).to_be_visible(timeout=5_000)
    if phone:
        # the crisis panel, the transcript and the composer share the first screen
        assert await in_viewport(page, "#seeker-message"), "the composer was pushed off the first screen"
        assert await in_viewport(page, "section.chat form.composer button[type='submit']")
        assert await in_viewport(page, "#crisis-title")
        header = await page.locator(".seeker-header").bounding_box()
        quick_exit = await page.get_by_test_id("quick-exit").bounding_box()
        assert header is not None and quick_exit is not None
        assert header["height"] < 2 * quick_exit["height"]  # one row
        await expect(page.locator(".composer__keys")).to_be_hidden()  # no keyboard hints on a phone
        assert await page.evaluate("() => document.documentElement.scrollWidth") <= width
    else:
        await expect(page.locator(".composer__keys")).to_be_visible()
    await screenshot(page, f"seeker-crisis-chat-{width}")

    await page.get_by_role("button", name="End chat").click()
    await page.get_by_role("button", name="Yes, end").click()
    ended = page.locator("section.chat")
    await expect(ended).to_contain_text("You ended the chat.")
    await expect(ended).not_to_contain_text("Say hello")
    for watched in (seeker, listener):
        await watched.assert_clean()
        await watched.context.close()


@pytest.mark.parametrize("size", SIZES)
async def test_a_spanish_seeker_reads_spanish_and_is_told_nobody_speaks_it(
    browser: Browser, live_server: ServerProcess, clean_state: None, size: tuple[int, int]
) -> None:
    width, height = size
    base = live_server.base_url
    # the only listener on duty speaks English
    await create_user(
        live_server.env["DATABASE_URL"], LISTENER[0], LISTENER[1], "listener", topics=("talk",), display_name="Lena"
    )
    listener = await open_page(browser, base)
    await staff_login(listener.page, base, "/listener", *LISTENER)
    await listener.page.get_by_test_id("away-prompt").get_by_role("button").click()
    await expect(listener.page.get_by_label("Available")).to_be_checked()

    seeker = await open_page(browser, base, width=width, height=height)
    page = seeker.page
    await page.goto(base + "/?topic=talk")
    assert await page.evaluate("() => document.documentElement.lang") == "en"
    await page.get_by_label("Language").select_option("es")
    # the whole interface follows the choice at once, and the page says which language it is in
    await expect(page.get_by_role("heading", level=1)).to_have_text("Habla con alguien que ha pasado por algo parecido")
    assert await page.evaluate("() => document.documentElement.lang") == "es"
    await expect(page.get_by_role("button", name="Salida rápida")).to_be_visible()
    await page.get_by_label("¿Qué te preocupa? (opcional)").fill("Hola, necesito hablar")
    await page.get_by_role("button", name="Empezar el chat").click()
    status = page.get_by_test_id("queue-status")
    await expect(status).to_contain_text("Eres el número 1 en la fila.", timeout=10_000)
    await expect(page.get_by_test_id("no-language-listener")).to_contain_text(
        "no hay nadie disponible que hable español", timeout=10_000
    )
    await expect(page.get_by_role("button", name="Ver contactos de crisis")).to_be_visible()
    await page.get_by_role("button", name="Ver contactos de crisis").click()
    await expect(page.locator("#crisis-contacts")).to_contain_text("Línea 024")
    await expect(page.locator("#crisis-contacts")).to_contain_text("Llama al 988 y pulsa 2")
    await screenshot(page, f"seeker-spanish-no-listener-{width}")
    body = await page.locator("body").inner_text()
    for english in ("Finding a listener", "in line", "Quick exit", "Crisis contacts", "Leave the queue"):
        assert english not in body, english
    if width < 500:
        assert await page.evaluate("() => document.documentElement.scrollWidth") <= width
        header = await page.locator(".seeker-header").bounding_box()
        quick_exit = await page.get_by_test_id("quick-exit").bounding_box()
        assert header is not None and quick_exit is not None and header["height"] < 2 * quick_exit["height"]
    for watched in (seeker, listener):
        await watched.assert_clean()
        await watched.context.close()
