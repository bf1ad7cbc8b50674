"""The complainant's side of ``make prod-check`` in a real Chromium, through nginx over HTTPS and WSS.

Debian's ``chromium`` driven by Playwright (as ``tests/e2e`` does): the
complainant tracks the case with the PIN, keeps the case page open while a
uvicorn node is lost under its websocket, sees the officer's question and
the decision arrive without reloading, and downloads the outcome letter.
The page's own script (``static/js/live.js``) does the reconnecting and the
catching up; nothing here helps it.
"""

from __future__ import annotations

import os
import shutil

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# A closed network: no calls home; no sandbox when run as root (CI).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# What live.js writes into the state line once its socket is open.
IS_LIVE = """() => {
  const root = document.querySelector("[data-live-socket]");
  const line = root && root.querySelector("[data-live-state]");
  return !!line && line.textContent === root.getAttribute("data-text-live");
}"""

FETCH = """async (href) => {
  const response = await fetch(href, {credentials: "same-origin"});
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {status: response.status, head: String.fromCharCode(...bytes.slice(0, 5)), size: bytes.length};
}"""


class BrowserUnavailable(RuntimeError):
    pass


class ComplainantBrowser:
    """One Chromium, one phone-sized page, the complainant's."""

    def __init__(self, base: str):
        if not os.path.exists(CHROMIUM):
            raise BrowserUnavailable(
                f"Chromium not found at {CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH"
            )
        from playwright.sync_api import sync_playwright

        self.base = base.rstrip("/")
        self.sockets: list = []  # every websocket the page opened, the first and each reconnection
        self.errors: list[str] = []  # script errors on the page
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            # Our own self-signed certificate, made when the topology started.
            context = self._browser.new_context(ignore_https_errors=True, viewport={"width": 390, "height": 844})
            self.page = context.new_page()
        except BaseException:
            self._playwright.stop()
            raise
        self.page.on("websocket", lambda socket: self.sockets.append(socket))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def close(self) -> None:
        try:
            self._browser.close()
        finally:
            self._playwright.stop()

    def track(self, reference: str, pin: str) -> None:
        """Open the case with its reference and PIN, as the complainant would, and wait until it is live."""
        page = self.page
        page.goto(self.base + "/grievances/track/")
        page.fill("input[name=reference]", reference)
        page.fill("input[name=pin]", pin)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(f"**/grievances/{reference}/")
        self.wait_live()

    def wait_live(self, seconds: float = 20) -> None:
        self.page.wait_for_function(IS_LIVE, timeout=seconds * 1000)

    def socket_url(self) -> str:
        return self.sockets[-1].url if self.sockets else ""

    @property
    def reconnects(self) -> int:
        return max(0, len(self.sockets) - 1)

    def shows(self, text: str, seconds: float = 30) -> bool:
        """True when the open page's timeline shows ``text`` within ``seconds``, without a reload."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            self.page.wait_for_function(
                "(text) => (document.querySelector('#timeline') || document.body).textContent.includes(text)",
                arg=text,
                timeout=seconds * 1000,
            )
        except PlaywrightError:
            return False
        return True

    def status_becomes(self, status: str, seconds: float = 30) -> bool:
        """True when the page's status (``data-live-status``) becomes ``status`` within ``seconds``, without a reload."""
        from playwright.sync_api import Error as PlaywrightError

        try:
            self.page.wait_for_function(
                "(want) => { const s = document.querySelector('[data-live-status]');"
                " return !!s && s.getAttribute('data-live-status') === want; }",
                arg=status,
                timeout=seconds * 1000,
            )
        except PlaywrightError:
            return False
        return self.not_reloaded()

    def not_reloaded(self) -> bool:
        return bool(self.page.evaluate("window.suaraProdCheck === true"))

    def mark(self) -> None:
        """Remember this page: if it is reloaded, the mark is gone."""
        self.page.evaluate("window.suaraProdCheck = true")

    def download_letter(self) -> dict:
        """Reload the case page, follow its letter link from the browser; the response's status, first bytes, size."""
        self.page.reload()
        link = self.page.locator("a[href$='/outcome.pdf']")
        if not link.count():
            return {"status": 0, "head": "", "size": 0}
        return self.page.evaluate(FETCH, link.first.get_attribute("href"))
