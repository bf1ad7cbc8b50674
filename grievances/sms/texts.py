"""Every text the SMS channel sends, with the segments it may cost.

Each text is one translatable message with named values. Its budget holds
in every language with the longest realistic values (tests/grievances/sms/
test_segments.py renders each in each offered language): written short in
English so that a translation in a UCS-2 script (67 characters a segment)
still fits. A text carrying someone's words (an officer's question, a
decision) cuts those words to fit its budget, and says so with "…".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.lib.sms import segments


@dataclass(frozen=True)
class Text:
    message: object  # a lazy translation with %(name)s values
    budget: int  # segments, in the worst encoding
    free: str = ""  # the value that is cut to fit (someone's words), if any


TEXTS: dict[str, Text] = {
    # Replies to what a person sends.
    "help": Text(_("Suara: send HELP to lodge a grievance, or STATUS, your reference and PIN to follow one."), 2),
    "themes": Text(_("What is it about? Reply with a number:\n%(menu)s"), 4),
    "categories": Text(_("Which one? Reply with a number:\n%(menu)s"), 4),
    "pick_number": Text(_("Please reply with one of the numbers."), 1),
    "describe": Text(_("Describe the problem. Send as many texts as you need, then DONE."), 2),
    "part_received": Text(_("Got it. Send more, or DONE."), 1),
    "describe_first": Text(_("Please describe the problem first, then send DONE."), 1),
    "too_long": Text(_("That is all we can take in one grievance. Send DONE."), 1),
    "anonymous": Text(_("Hide your name and number from the agency?\n1 Yes\n2 No"), 1),
    "confirm": Text(_("Send your grievance about %(category)s?\n1 Yes\n2 Start again"), 2),
    "lodged_anonymous": Text(
        _("Received: %(reference)s PIN %(pin)s. Keep the PIN secret. To follow: STATUS %(reference)s %(pin)s"), 2
    ),
    "lodged": Text(_("Received: %(reference)s. Your PIN comes in the next text."), 1),
    "not_lodged": Text(_("Sorry, it could not be lodged: %(reason)s Send HELP to try again."), 3, free="reason"),
    "no_categories": Text(_("Grievances cannot be lodged by text yet. Please use %(site)s"), 2),
    "expired": Text(_("Your unfinished grievance was dropped after %(hours)s hours."), 1),
    "status_format": Text(_("Send STATUS, your reference and PIN, e.g. STATUS SU-7K3Q-9PXM 123456"), 1),
    "status_wrong": Text(_("This reference and PIN do not match. Check them and try again."), 1),
    "status_locked": Text(_("Too many wrong tries. Try again in %(minutes)s minutes."), 1),
    "answered": Text(_("Thank you. Your answer is on %(reference)s and the deadline runs again."), 2),
    "replied": Text(_("Your message is on %(reference)s."), 1),
    "case_ended": Text(
        _("%(reference)s is finished, so messages no longer reach it. Send HELP to lodge a new one."), 2
    ),
    "stopped": Text(_("You will get no more texts from Suara. Send START to get them again."), 1),
    "started": Text(_("Texts from Suara are on again. Send STOP to end them."), 1),
    "language": Text(_("Language: %(language)s"), 1),
    "language_unknown": Text(_("Send LANG and one of: %(codes)s"), 2),
    # How it went, asked once after the decision (grievances/satisfaction): numbered choices.
    "rate_resolved": Text(_("%(reference)s: was your problem resolved?\n1 Yes\n2 Partly\n3 No"), 2),
    "rate_fair": Text(_("Were you treated fairly?\n1 Yes\n2 No"), 1),
    "rate_thanks": Text(_("Thank you for your answers. You can add a comment on the website."), 1),
    "rate_too_late": Text(_("Your answer about %(reference)s can no longer be changed."), 1),
    # The state of a case, for STATUS and for notices.
    "status_received": Text(_("%(reference)s: received by %(agency)s. Answer due by %(date)s."), 2),
    "status_working": Text(_("%(reference)s: an officer at %(agency)s is on it. Answer due by %(date)s."), 2),
    "status_awaiting": Text(_("%(reference)s: %(agency)s needs information from you. Reply to this number."), 2),
    "status_referred": Text(_("%(reference)s: sent to %(agency)s, better placed to deal with it."), 2),
    "status_resolved": Text(_("%(reference)s: %(agency)s has decided. You may appeal by %(date)s."), 2),
    "status_resolved_final": Text(_("%(reference)s: %(agency)s has decided."), 2),
    "status_appealed": Text(_("%(reference)s: your appeal will be decided by %(date)s."), 2),
    "status_closed": Text(_("%(reference)s: closed."), 1),
    "status_rejected": Text(_("%(reference)s: outside what %(agency)s can deal with."), 2),
    "status_withdrawn": Text(_("%(reference)s: withdrawn."), 1),
    # Notices carrying the agency's words.
    "question": Text(_("%(reference)s: %(agency)s asks: %(text)s\nReply to this number to answer."), 4, free="text"),
    "message": Text(_("%(reference)s: %(agency)s writes: %(text)s"), 4, free="text"),
    "decision": Text(_("%(reference)s: %(agency)s decided: %(text)s\nAppeal by %(date)s."), 4, free="text"),
    "appeal_decided": Text(_("%(reference)s: your appeal is decided: %(text)s"), 4, free="text"),
}


def render(name: str, **values) -> str:
    """The text ``name`` in the active language, someone's words cut to fit its budget."""
    text = TEXTS[name]
    message = str(text.message)
    if not text.free:
        return message % values
    words = str(values.pop(text.free, ""))
    frame = message % {**values, text.free: ""}
    room = text.budget * segments.UCS2_PART - len(frame.encode("utf-16-le")) // 2
    if segments.count(message % {**values, text.free: words}).segments <= text.budget:
        return message % {**values, text.free: words}
    return message % {**values, text.free: _cut(words, max(room, 1))}


def _cut(words: str, room: int) -> str:
    # Counted in UTF-16 units, the worst case, so the whole text fits its budget in any encoding.
    out = ""
    for char in words:
        if len((out + char).encode("utf-16-le")) // 2 > room - 1:
            break
        out += char
    return out.rstrip() + "…"
