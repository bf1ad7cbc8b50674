"""The interactive API docs render in a real browser under their CSP, loading nothing from elsewhere.

In a folder named e2e so that it runs after the others (tests/conftest.py):
transactional tests flush the database.
"""

import pytest

from tests.e2e.conftest import browser, page  # noqa: F401 - the browser fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_without_csp_violations_or_outside_requests(live_server, page):  # noqa: F811
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_server.url + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    assert "/api/v1/cases/{reference}" in page.content()
    assert page.console_errors == []
    assert requested and all(url.startswith(live_server.url) or url.startswith("data:") for url in requested)
