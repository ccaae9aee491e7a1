"""``python -m impact``: the same as the ``impact`` command."""

from impact.cli import main

main()
