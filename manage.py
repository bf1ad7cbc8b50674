#!/usr/bin/env python
"""Django's command-line utility for Suara."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from portal.lib.env import ConfigError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(sys.argv)
    except ConfigError as exc:
        # One line naming the variable, not a traceback wall.
        sys.exit(f"Configuration error: {exc}")


if __name__ == "__main__":
    main()
