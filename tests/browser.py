"""What every browser test shares: Debian's Chromium launched by Playwright, personas that log
in, screenshots a reviewer can look at, and the check that a page never scrolls sideways.

Screenshots go to `$PARINDEX_SCREENSHOTS` (default: a `parindex-screenshots` folder in the
system's temporary directory); the test run prints the folder at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
SIZES = (("laptop", LAPTOP), ("phone", PHONE))  # for @pytest.mark.parametrize("size,viewport")
SCREENSHOTS = Path(
    os.environ.get("PARINDEX_SCREENSHOTS") or Path(tempfile.gettempdir()) / "parindex-screenshots"
)
taken: list[Path] = []  # read by conftest's terminal summary

# Reports every Content Security Policy violation to the console, where the persona collects
# it (an init script is the browser's own, not the page's: the policy does not block it).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI + " "
                + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


def launch(playwright):
    if not os.path.exists(CHROMIUM):
        raise AssertionError("Chromium is missing: scripts/test installs Debian's chromium")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are safe here (one thread at a time).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


class Persona:
    """One person in their own browser context, logged in; `viewport` is LAPTOP or PHONE."""

    def __init__(self, browser, live_server, name, password=None, viewport=None, locale="en-US"):
        self.name = name
        self.context = browser.new_context(viewport=viewport or LAPTOP, locale=locale)
        self.context.add_init_script(REPORT_VIOLATIONS)
        self.violations: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.set_default_timeout(15_000)
        self.url = live_server.url
        self.page.goto(f"{self.url}/accounts/login/")
        self.page.fill("#id_username", name)
        self.page.fill("#id_password", password or f"{name}-pw")
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{self.url}/")

    def _console(self, message):
        text = message.text
        if "CSP violation" in text or "Content Security Policy" in text:
            self.violations.append(f"{self.page.url}: {text}")

    def goto(self, path: str):
        self.page.goto(f"{self.url}{path}")
        self.page.wait_for_load_state("load")

    def shoot(self, name: str) -> Path:
        """A full-page screenshot named after the test's subject, e.g. "grid-phone"."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    def sideways_overflow(self) -> int:
        """How many pixels the page body scrolls sideways (0 when it fits the screen)."""
        return self.page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - document.documentElement.clientWidth"
        )

    def assert_fits(self, what: str = ""):
        overflow = self.sideways_overflow()
        assert overflow <= 0, f"{what or self.page.url} scrolls sideways by {overflow} px"

    def close(self):
        self.context.close()
