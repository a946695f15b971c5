"""The built apps obey the CSP by construction: external JS/CSS only, no inline handlers or styles, nothing
from outside the server, and the sources never hand network text to the HTML parser."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.browser

SRC = ROOT / "client_web" / "src"


def test_html_has_only_external_scripts_and_styles(built_apps: Path) -> None:
    pages = sorted(built_apps.glob("*.html"))
    assert [p.name for p in pages] == ["index.html", "listener.html", "supervisor.html"]
    for page in pages:
        html = page.read_text()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert re.search(r'\bsrc="/assets/[^"]+\.js"', tag), (page.name, tag)
        assert not re.search(r"<script\b[^>]*>(?!\s*</script>)", html), page.name  # no inline script bodies
        assert "<style" not in html and " style=" not in html, page.name
        assert not re.search(r"\son[a-z]+=", html), page.name
        assert not re.search(r'(src|href)="(https?:)?//', html), page.name
    assert (built_apps / "widget.js").is_file()


def test_css_fetches_nothing_from_outside(built_apps: Path) -> None:
    for css in (built_apps / "assets").glob("*.css"):
        text = css.read_text()
        assert "@import" not in text and not re.search(r"url\(\s*['\"]?(https?:)?//", text), css.name


def test_sources_never_parse_network_text_as_html() -> None:
    forbidden = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|dangerouslySetInnerHTML"
        r"|document\.write|\beval\(|new Function|\bstyle=\{"
    )
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in SRC.rglob("*.ts*")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if forbidden.search(line)
    ]
    assert offenders == []


def test_no_logging_of_messages_or_tokens() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in SRC.rglob("*.ts*")
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"console\.(log|info|debug|warn|error)", line)
    ]
    assert offenders == []
