"""A bare Django project: the baseline that bench/pages.py compares the portal's home page with.

No database, no sessions, no cache: one view rendering one template whose
HTML is about as long as the portal's home page. Served by the same gunicorn
command (two sync workers), it shows what Django itself costs on this
machine, so the home page's figure can be read as a ratio.
"""
