"""The one view: a page with a title, an introduction and three cards, like the portal's home page."""

from django.shortcuts import render

CARDS = [
    {
        "title": "First card",
        "text": "A sentence or two of body text, about as long as the portal's cards, so that the page weighs "
        "what the home page weighs and the template engine does similar work.",
        "href": "/first/",
        "label": "Go to the first place",
    },
    {
        "title": "Second card",
        "text": "Another short paragraph of ordinary prose with nothing special in it.",
        "href": "/second/",
        "label": "Go to the second place",
    },
    {
        "title": "Third card",
        "text": "A third paragraph, again of the kind a landing page shows under a heading.",
        "href": "/third/",
        "label": "Go to the third place",
    },
]

NAV = [
    ("/first/", "First place"),
    ("/second/", "Second place"),
    ("/third/", "Third place"),
    ("/sign-in/", "Sign in"),
]


def page(request):
    context = {
        "title": "A bare Django page of about the same size",
        "intro": (
            "This page is rendered by Django's template engine from one view with no database, no session and "
            "no cache. It exists only to be compared with the portal's home page, served by the same gunicorn "
            "command on the same machine in the same run, so that the difference between the two is what the "
            "portal adds. Its size, its loops and its handful of variables are chosen to give the template "
            "engine about as much to do as the home page gives it."
        ),
        "cards": CARDS,
        "nav": NAV,
        "languages": [("en", "English")],
    }
    return render(request, "page.html", context)
