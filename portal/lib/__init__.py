"""Suara's toolbox: small tools that know no person and no domain.

Nothing here imports ``portal``'s people (users, organizations, memberships)
or any app; each module could be lent to another Django project as it is.
The apps and ``portal`` use these tools, never the other way round.
"""
