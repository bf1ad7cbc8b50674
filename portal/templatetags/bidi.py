"""Direction isolation for text that must read left to right in every language.

A reference (``SU-7K3Q-9PXM``), a PIN, a phone number or a code is a run of
Latin letters, digits and dashes; inside Urdu text the bidirectional algorithm
would reorder its pieces and the text around it. ``{{ value|ltr }}`` isolates it
and fixes its direction. (User text, whose direction is not known, is isolated
with ``dir="auto"`` in the templates instead.)
"""

from django import template
from django.utils.html import format_html

register = template.Library()

# U+2066 LEFT-TO-RIGHT ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE: the same, where
# no markup can go (a <title>, an attribute, a text message).
LRI, PDI = "\u2066", "\u2069"


@register.filter
def ltr(value):
    """``<bdi dir="ltr">value</bdi>``, the value escaped."""
    if value in (None, ""):
        return ""
    return format_html('<bdi dir="ltr">{}</bdi>', value)


@register.filter
def ltr_text(value):
    """The value between left-to-right isolate marks, for plain text."""
    if value in (None, ""):
        return ""
    return f"{LRI}{value}{PDI}"
