"""How a page model hands a request to a view without importing the views.

Django imports ``consultations.models`` first, and the views need the models
(and the rules, selectors, services and forms that need them too), so a page
class cannot import its views without a loop. Instead each page class that
serves more than its template holds a :class:`PageHandlers` table: the page
keeps declaring its routes with Wagtail's ``@path`` (so routing, reversing and
the route checks work from the model alone), and each route hands the request
to the function registered under its name. ``consultations.views`` registers
those functions when it is imported, which ``ConsultationsConfig.ready()``
does in every process at start-up.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured


class PageHandlers:
    """Named functions ``(request, page, *args)`` a page class hands its requests to."""

    def __init__(self, page_name: str):
        self.page_name = page_name
        self._handlers: dict[str, Callable] = {}

    def register(self, name: str) -> Callable[[Callable], Callable]:
        """Decorator: the page hands ``name`` to the decorated function."""

        def decorator(function: Callable) -> Callable:
            self._handlers[name] = function
            return function

        return decorator

    def __call__(self, name: str, request, page, *args):
        try:
            handler = self._handlers[name]
        except KeyError:
            # Loud rather than a bare 404: a missing handler means the views were never imported.
            raise ImproperlyConfigured(
                f"{self.page_name}: nothing handles {name!r}; consultations.views registers it "
                "and ConsultationsConfig.ready() imports consultations.views."
            ) from None
        return handler(request, page, *args)
