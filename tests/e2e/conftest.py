"""A real Chromium (Debian's package) driven by Playwright against a live server."""

import os
import threading
import time

import pytest

# One Chromium and one set of flags for the tests and the production check's browser.
from bench.prod_browser import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium package or set CHROMIUM_PATH")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread while
    # the browser is open; Django would then refuse the test's own database
    # calls. The live server works in its own thread, so allowing it here is
    # safe, and the permission ends with the module.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})  # a small phone
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    yield page
    context.close()


def pytest_collection_modifyitems(items):
    # Static files through Django's ASGI handler: whitenoise streams them from a
    # synchronous iterator, which Django warns about; harmless in a test server.
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"))


class AsgiLiveServer:
    """``portal.asgi`` served by uvicorn in a thread of the test process, websockets included.

    Pages open live-update websockets, which Django's WSGI live server cannot
    answer (the browser would log a failed handshake). Like that server, this
    one shares the test database with the test. Its threads keep no database
    connection open, so the test database can be dropped afterwards.
    """

    def __init__(self):
        import uvicorn

        from portal.asgi import application
        from portal.lib.embedded import Lifespan
        from portal.management.commands.run_portal import UVICORN_WEBSOCKET_OPTIONS
        from tests.conftest import free_port

        options = dict(zip(UVICORN_WEBSOCKET_OPTIONS[::2], UVICORN_WEBSOCKET_OPTIONS[1::2], strict=True))
        self.port = free_port()
        self.server = uvicorn.Server(
            uvicorn.Config(
                Lifespan(application.app, keep_connections=False),
                host="127.0.0.1",
                port=self.port,
                lifespan="on",
                log_level="warning",
                proxy_headers=False,  # as run_portal: only the app reads X-Forwarded-For
                ws_per_message_deflate=options["--ws-per-message-deflate"] == "true",
                ws_max_size=int(options["--ws-max-size"]),
            )
        )
        self.thread = threading.Thread(target=self.server.run, name="asgi-live-server", daemon=True)
        # What pytest-django's own live server offers its (autouse) helper fixture.
        from django.test.utils import modify_settings

        self._live_server_modified_settings = modify_settings(ALLOWED_HOSTS={"append": "localhost"})

    @property
    def url(self) -> str:
        return f"http://localhost:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


@pytest.fixture
def live_server(transactional_db, monkeypatch):
    """Replaces pytest-django's WSGI live server with ``AsgiLiveServer`` for the browser tests."""
    from django.db import connections

    # As under ASGI in production: each request's thread closes its connection.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    server = AsgiLiveServer()
    server.start()
    yield server
    server.stop()
