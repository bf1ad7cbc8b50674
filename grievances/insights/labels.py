"""A theme's name as a reader sees it: its main concepts, in the reader's language, never words of a case."""

from __future__ import annotations

from django.utils.translation import gettext as _

from grievances.insights.lexicon import CONCEPTS


def theme_label(concepts: list[str]) -> str:
    """ "verification code · not received · text message", translated; a plain name when the theme has none."""
    names = [str(CONCEPTS[key][0]) for key in concepts if key in CONCEPTS]
    # Translators: the separator between the words that name a theme.
    return _(" · ").join(names) if names else _("Other matters")
