"""The stylesheets use CSS logical properties only, so right-to-left (Urdu) needs no second stylesheet.

``margin-inline-start`` is the left margin in English and the right one in
Urdu; ``margin-left`` is the left margin in both, which is wrong in one.
"""

import re

import pytest

from tests.conftest import PROJECT_DIR

STYLESHEETS = sorted((PROJECT_DIR / "static" / "css").glob("*.css"))

PHYSICAL = [
    # margin-left, padding-right, border-left-width, scroll-margin-right...
    re.compile(r"(?<![\w-])[\w-]*-(?:left|right)(?:-[\w-]+)?\s*:"),
    # left: 0; right: 1rem (use inset-inline-start / -end)
    re.compile(r"(?<![\w-])(?:left|right)\s*:"),
    # float, clear, text-align, caption-side... with a physical value
    re.compile(r"(?<![\w-])(?:float|clear|text-align|text-align-last|resize)\s*:\s*(?:left|right)\b"),
    re.compile(r"(?<![\w-])(?:background-position|object-position|transform-origin)\s*:[^;]*\b(?:left|right)\b"),
]
# margin: 0 1rem 0 2rem sets left and right apart; so do padding, inset and border-width.
FOUR_SIDES = re.compile(r"(?<![\w-])(margin|padding|inset|border-width|border-style|border-color)\s*:\s*([^;{}]+)")


def physical_properties(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    found = []
    for number, line in enumerate(css.splitlines(), start=1):
        for declaration in re.split(r"[;{}]", line):
            if any(pattern.search(declaration) for pattern in PHYSICAL):
                found.append(f"line {number}: {declaration.strip()}")
                continue
            match = FOUR_SIDES.search(declaration)
            if match:
                values = match.group(2).replace("!important", "").split()
                if len(values) == 4 and values[1] != values[3]:
                    found.append(f"line {number}: {declaration.strip()} (the right and left values differ)")
    return found


def test_the_stylesheets_exist():
    assert {path.name for path in STYLESHEETS} >= {"suara.css", "pdf.css"}


@pytest.mark.parametrize("stylesheet", STYLESHEETS, ids=lambda path: path.name)
def test_stylesheet_uses_logical_properties_only(stylesheet):
    found = physical_properties(stylesheet.read_text(encoding="utf-8"))
    assert not found, f"{stylesheet.name} sets physical left/right; use the logical property:\n" + "\n".join(found)


def test_the_check_finds_physical_properties():
    css = """
    .a { margin-left: 1rem; } .b { left: 0 } .c { text-align: right; } .d { padding: 0 1rem 0 2rem; }
    .e { float: left } .f { border-right-width: 2px }
    """
    assert len(physical_properties(css)) == 6
    logical = ".a { margin-inline-start: 1rem; inset-inline-start: 0; text-align: start; padding: 0 1rem; }"
    assert physical_properties(logical) == []
    assert physical_properties(".x { padding: 1px 2px 3px 2px; }") == []
