"""The fonts printed documents need, and whether this machine has them.

Kept apart from ``portal.lib.pdf`` so that the start-up check and ``/healthz``
can ask without importing WeasyPrint.
"""

from __future__ import annotations

# The families ``static/css/pdf.css`` asks for, and the scripts each one
# carries. Debian's fonts-noto-core has the scripts; without one, Pango falls
# back to whatever it finds and a letter in Khmer may print as empty boxes.
REQUIRED_FONTS = {
    "Noto Sans": "Latin and Vietnamese",
    "Noto Sans Thai": "Thai",
    "Noto Sans Khmer": "Khmer",
    "Noto Sans Lao": "Lao",
    "Noto Sans Myanmar": "Myanmar",
    # Complainants write emoji too; without a font for them, WeasyPrint maps
    # a blank glyph to the emoji and text extraction (screen readers, copying)
    # of everything set in that font breaks. Debian: fonts-noto-color-emoji.
    # Not named in pdf.css: fontconfig's fallback finds it for the emoji
    # alone, while naming it made every line three times slower to draw.
    "Noto Color Emoji": "emoji",
}


def missing_fonts() -> list[str]:
    """The families of :data:`REQUIRED_FONTS` that fontconfig cannot find, each with its scripts."""
    installed = installed_font_families()
    return [f"{family} ({scripts})" for family, scripts in REQUIRED_FONTS.items() if family not in installed]


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
