"""The fonts printed documents need, and whether this machine has them.

Kept apart from ``portal.lib.pdf`` so that the start-up check and ``/healthz``
can ask without importing WeasyPrint.
"""

from __future__ import annotations

# The families the PDF stylesheets (``static/css/pdf-scripts.css``) ask for:
# one for each script the portal's languages and its complainants write in,
# with the languages that need it and the Debian package that has it.
# Without one, Pango falls back to whatever it finds, and a letter in Khmer
# may print as empty boxes.
REQUIRED_FONTS = {
    "Noto Sans": ("Latin and Vietnamese", "en id ms vi fil", "fonts-noto-core"),
    "Noto Sans Thai": ("Thai", "th", "fonts-noto-core"),
    "Noto Sans Lao": ("Lao", "lo", "fonts-noto-core"),
    "Noto Sans Khmer": ("Khmer", "km", "fonts-noto-core"),
    "Noto Sans Myanmar": ("Myanmar", "my", "fonts-noto-core"),
    "Noto Sans Bengali": ("Bengali", "bn", "fonts-noto-core"),
    "Noto Sans Devanagari": ("Devanagari", "ne", "fonts-noto-core"),
    # Naskh rather than Nastaliq for Urdu: see pdf-scripts.css.
    "Noto Naskh Arabic": ("Arabic script", "ur", "fonts-noto-core"),
    "Noto Sans CJK SC": ("Chinese", "zh-hans", "fonts-noto-cjk"),
    # Complainants write emoji too; without a font for them, WeasyPrint maps
    # a blank glyph to the emoji and text extraction (screen readers, copying)
    # of everything set in that font breaks. Not named in the stylesheets:
    # fontconfig's fallback finds it for the emoji alone, while naming it made
    # every line three times slower to draw.
    "Noto Color Emoji": ("emoji", "", "fonts-noto-color-emoji"),
}


def missing_fonts() -> list[str]:
    """The families of :data:`REQUIRED_FONTS` that fontconfig cannot find, each with its script and languages."""
    installed = installed_font_families()
    missing = []
    for family, (script, languages, _package) in REQUIRED_FONTS.items():
        if family not in installed:
            missing.append(
                f"{family} ({script}: {', '.join(languages.split())})" if languages else f"{family} ({script})"
            )
    return missing


def packages_for(missing: list[str]) -> list[str]:
    """The Debian packages that bring the fonts ``missing_fonts()`` named, in a stable order."""
    families = {entry.split(" (", 1)[0] for entry in missing}
    packages = [package for family, (_s, _l, package) in REQUIRED_FONTS.items() if family in families]
    return list(dict.fromkeys(packages))


def installed_font_families() -> set[str]:
    """Every family name fontconfig knows (the library WeasyPrint's Pango uses).

    Read through ctypes rather than WeasyPrint, so that the start-up check
    does not pay for importing WeasyPrint in every ``manage.py`` command.
    """
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("fontconfig")
    if name is None:
        return set()
    fc = ctypes.CDLL(name)
    fc.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    fc.FcConfigGetFonts.restype = ctypes.c_void_p
    fc.FcConfigGetFonts.argtypes = [ctypes.c_void_p, ctypes.c_int]
    fc.FcConfigDestroy.argtypes = [ctypes.c_void_p]
    fc.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)]

    class FontSet(ctypes.Structure):
        _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int), ("fonts", ctypes.POINTER(ctypes.c_void_p))]

    config = fc.FcInitLoadConfigAndFonts()
    if not config:
        return set()
    families: set[str] = set()
    try:
        fonts = fc.FcConfigGetFonts(config, 0)  # FcSetSystem
        if not fonts:
            return families
        font_set = FontSet.from_address(fonts)
        value = ctypes.c_char_p()
        for i in range(font_set.nfont):
            index = 0
            while fc.FcPatternGetString(font_set.fonts[i], b"family", index, ctypes.byref(value)) == 0:
                families.add(value.value.decode("utf-8", "replace"))
                index += 1
    finally:
        fc.FcConfigDestroy(config)
    return families
