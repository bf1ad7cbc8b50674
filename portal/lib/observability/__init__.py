"""What operations watch: request ids in JSON logs, Prometheus metrics, an optional error reporter.

Imported by ``portal.settings`` (``logging_config``), by the middleware list
(``middleware.RequestContextMiddleware``) and by the places that count what
an operator must see (channel-layer failures, SLA breaches, SMS failures).
"""
