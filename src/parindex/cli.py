"""The `parindex` console script.

Every sub-command is a Django management command (NetBox's pattern), so `parindex migrate`,
`parindex framework import …` and `python -m parindex …` all run through one code path.

The embedded database needs no set-up: on SQLite a command first creates or upgrades the
schema. A PostgreSQL database is never changed behind the operator's back: a command refuses to
run on an outdated schema and says to run `parindex migrate`.
"""

import os
import sys

# Commands that manage the schema or the code themselves, or need no database.
NO_SCHEMA_CHECK = {
    "migrate",
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "squashmigrations",
    "makemessages",
    "compilemessages",
    "check",
    "help",
    "version",
    "shell",
    "dbshell",
    "--help",
    "-h",
    "--version",
}


def _ensure_schema() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils.translation import gettext as _

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        return
    sys.stderr.write(_("The database schema is out of date: run “parindex migrate” first.") + "\n")
    sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] not in NO_SCHEMA_CHECK:
        import django

        django.setup()
        _ensure_schema()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["parindex", *args])
