"""The `parindex` console script.

Every sub-command is a Django management command (NetBox's pattern), so `parindex migrate`,
`parindex framework import …` and `python -m parindex …` all run through one code path.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["parindex", *args])
