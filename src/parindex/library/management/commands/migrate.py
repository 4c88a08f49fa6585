"""`parindex migrate`: Django's migrate, explained in the user's language.

The options a user needs are described; Django's others (--fake, --run-syncdb, an app label …)
keep working for developers and for the test runner, unlisted. Without -v 2 it says in one
line what it did instead of Django's list of migrations.
"""

import argparse

from django.core.management.commands import migrate
from django.db import DatabaseError, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import SELF, ParindexCommand, cannot_open, database_location

OPTIONS = {
    "interactive": gettext_lazy("Never ask a question (for scripts)."),
    "plan": gettext_lazy("Only list the changes that would be made."),
    "check_unapplied": gettext_lazy(
        "Change nothing; exit with a non-zero code if the database needs upgrading."
    ),
}


class Command(ParindexCommand, migrate.Command):
    help = gettext_lazy(
        "Create or upgrade the database: the embedded SQLite file, or the server named by "
        "DATABASE_URL. Run it after each upgrade of parindex on PostgreSQL."
    )
    summary = gettext_lazy("Create or upgrade the database")
    database_use = SELF

    def add_arguments(self, parser):
        super().add_arguments(parser)
        for action in parser._actions:
            if action.dest in OPTIONS:
                action.help = str(OPTIONS[action.dest])
            elif action.dest != "help":
                action.help = argparse.SUPPRESS

    def handle(self, *args, **options):
        if options["verbosity"] > 1 or options["plan"] or options["check_unapplied"]:
            return super().handle(*args, **options)
        connection = connections[options["database"]]
        try:
            executor = MigrationExecutor(connection)
            pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        except DatabaseError as exc:
            raise cannot_open(exc) from None
        super().handle(*args, **{**options, "verbosity": 0})
        if options["verbosity"] and connection.alias == "default":
            where = database_location()["location"]
            if pending:
                self.stdout.write(
                    _("database %(where)s: upgraded (%(count)s change(s))")
                    % {"where": where, "count": pending}
                )
            else:
                self.stdout.write(_("database %(where)s is up to date") % {"where": where})
