"""A real uvicorn server on a free loopback port and Debian's chromium driven by Playwright.

Browser tests are skipped, with the reason, when /usr/bin/chromium is absent.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.server import server_env, start_uvicorn, stop

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROME_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = server_env(tmp_path_factory.mktemp("server-data"))
    try:
        proc, base = start_uvicorn("crampcheck.api.app:create_app", factory=True, env=env, probe="/healthz")
    except RuntimeError as e:
        pytest.fail(str(e))
    try:
        yield base
    finally:
        stop(proc)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is absent: install Debian's chromium to run the browser tests")
    from playwright.sync_api import sync_playwright

    # Chromium puts its singleton socket in TMPDIR, and a Unix socket path may not exceed 107 bytes: under a long
    # temporary path it aborts, so it gets a short temporary folder of its own.
    short_parent = "/tmp" if len(tempfile.gettempdir()) > 40 else None
    with tempfile.TemporaryDirectory(dir=short_parent) as short, sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROME_ARGS, env={**os.environ, "TMPDIR": short})
        yield b
        b.close()


def open_phone_page(browser, base: str):  # type: ignore[no-untyped-def]
    """A phone-sized page on ``base``; console errors and page errors are collected in page.problems."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    pg = ctx.new_page()
    problems: list[str] = []
    pg.on("console", lambda m: problems.append(f"{m.text} {m.location}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.problems = problems  # type: ignore[attr-defined]
    pg.base = base  # type: ignore[attr-defined]
    return ctx, pg


@pytest.fixture()
def page(browser, server):  # type: ignore[no-untyped-def]
    ctx, pg = open_phone_page(browser, server)
    yield pg
    ctx.close()


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """A full-page screenshot that leaves the page alone: Playwright's default caret hiding leaves empty
    style attributes on inputs, which htmx's next swap would copy and the CSP would (rightly) block."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, caret="initial")
