"""Date and number formats per language (``FORMAT_MODULE_PATH``), where Django's own are missing or unlike ours.

Templates name formats (``|date:"DATE_FORMAT"``), never spell them out, so
each language shows dates its own way. ``en`` keeps the portal's day-month
order ("30 November 2026"), which reads the same in every English-speaking
country of the region; Django's ``en`` is American ("Nov. 30, 2026"). Django
has no formats for ``fil``, ``lo``, ``my``, ``ne`` and ``ur``; theirs here follow
CLDR's patterns (and should be checked by native readers, as the catalogues are).
"""
