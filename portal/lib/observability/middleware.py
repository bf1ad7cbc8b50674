"""Each request gets an id (the proxy's X-Request-ID when it sent a sane one), a log line and its metrics."""

from __future__ import annotations

import logging
import time

from portal.lib.observability import context, metrics

access_log = logging.getLogger("suara.access")


class RequestContextMiddleware:
    """First in the list: everything below it logs with the request's id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = context.accept_id(request.headers.get("X-Request-ID"))
        request.request_id = request_id
        started = time.perf_counter()
        with context.bound(request_id):
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            match = getattr(request, "resolver_match", None)
            # The route's name, never the path: paths carry references and would
            # make one time series per case.
            view = (match.view_name if match else "") or (
                "pagecache" if response.get("X-Suara-Cache") == "hit" else "unmatched"
            )
            metrics.REQUESTS.labels(view=view, method=request.method, status=str(response.status_code)).inc()
            metrics.LATENCY.labels(view=view).observe(elapsed)
            # The path without its query string: search terms and tokens stay out of the logs.
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={"view": view, "status": response.status_code, "duration_ms": round(elapsed * 1000, 1)},
            )
        response["X-Request-ID"] = request_id
        return response
