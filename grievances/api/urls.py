"""``/api/``: version 1, the Open311 subset (with its own 404s), and a JSON 404 for every other address below."""

from django.urls import path, re_path

from grievances.api import open311, v1
from grievances.api.errors import NOT_FOUND_MESSAGE, error_response


def not_found(request, rest=""):
    return error_response(404, "not_found", NOT_FOUND_MESSAGE)


urlpatterns = [
    path("v1/", v1.api.urls),
    path("open311/v2/", open311.api.urls),
    # Open311 clients get Open311-shaped errors (no talk of tokens), in XML when they asked for XML.
    re_path(r"^open311/v2/(?P<rest>.*)$", open311.not_found),
    re_path(r"^(?P<rest>.*)$", not_found),
]
