"""Live updates: the complainant's case, the staff case and the agency queues, over websockets.

A wing of the case core: it subscribes to the core's announcements
(``grievances.events``), renders the new timeline entries and queue rows with
the pages' own fragments, and streams them to sockets admitted by the same
read gates as the pages.
"""
