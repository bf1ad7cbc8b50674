"""Checks that people's text reaches a page inside an element that isolates its direction.

A ``<bdi>`` or any element with ``dir="auto"`` keeps right-to-left text and
stray direction marks from reordering the words around it.
"""

from __future__ import annotations

from html.parser import HTMLParser

_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


class _Isolation(HTMLParser):
    def __init__(self, needle: str):
        super().__init__(convert_charrefs=True)
        self.needle = needle
        self.stack: list[tuple[str, bool]] = []
        self.found_isolated = 0
        self.found_bare = 0
        self.bare_in: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        isolating = tag == "bdi" or dict(attrs).get("dir") == "auto"
        self.stack.append((tag, isolating))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if self.needle in data:
            if any(isolating for _tag, isolating in self.stack):
                self.found_isolated += 1
            else:
                self.found_bare += 1
                self.bare_in.append(" > ".join(tag for tag, _isolating in self.stack))


def assert_isolated(html: str, needle: str) -> None:
    """``needle`` appears in ``html``, and every time inside a ``<bdi>`` or a ``dir="auto"`` element."""
    parser = _Isolation(needle)
    parser.feed(html)
    parser.close()
    assert parser.found_isolated, f"{needle!r} is not on the page inside an isolating element"
    assert not parser.found_bare, (
        f"{needle!r} appears {parser.found_bare} time(s) outside an isolating element: {parser.bare_in}"
    )
