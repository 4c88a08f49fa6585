"""`parindex info`: where this installation keeps its data, and how much there is."""

import os
import textwrap

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex import __version__
from parindex.commands import (
    SELF,
    ParindexCommand,
    database_location,
    database_missing,
    emit_json,
    ensure_schema,
    no_database_message,
    text_width,
)

ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def key_file() -> str | None:
    """Where the signing key is kept: a file (back it up), or None when it comes from the
    environment (SECRET_KEY)."""
    if os.getenv("SECRET_KEY_FILE"):
        return os.getenv("SECRET_KEY_FILE")
    if os.getenv("SECRET_KEY"):
        return None
    return str(settings.DATA_DIR / "secret_key")


class Command(ParindexCommand):
    help = gettext_lazy(
        "Where the data is: the database (engine and location), the data directory, the "
        "evidence folder, the signing key; and how many frameworks, units and accounts it holds."
    )
    summary = gettext_lazy("Where the data is, and what it holds")
    # Looks without creating: where there is no database yet it says so and what to run.
    database_use = SELF

    def add_arguments(self, parser):
        self.add_json(parser)

    def handle(self, *args, json=False, **options):
        location = database_location()
        exists, counts, problem = None, None, None
        try:
            exists = not database_missing()
            if exists:
                ensure_schema()  # the embedded file upgrades itself; a server's is checked
                counts = self.counts()
        except CommandError as exc:  # cannot connect, or an outdated server schema
            problem = str(exc)
        if json:
            emit_json(
                self,
                {
                    "version": __version__,
                    "database": {**location, "exists": exists},
                    "data_dir": str(settings.DATA_DIR),
                    "evidence_dir": str(settings.EVIDENCE_ROOT),
                    "key_file": key_file(),
                    "language": settings.LANGUAGE_CODE,
                    **(counts or dict.fromkeys(("frameworks", "units", "accounts"))),
                    "problem": problem,
                },
            )
        else:
            self.stdout.write(self.text(location, exists, counts))
        if problem:
            raise CommandError(problem)

    @staticmethod
    def counts() -> dict:
        from django.contrib.auth import get_user_model

        from parindex.frameworks.models import Framework
        from parindex.units.models import Unit

        return {
            "frameworks": Framework.objects.count(),
            "units": Unit.objects.count(),
            "accounts": get_user_model().objects.count(),
        }

    @staticmethod
    def text(location: dict, exists: bool | None, counts: dict | None) -> str:
        set_by = (
            _("the default location")
            if location["set_by"] == "default"
            else _("set by %(variable)s") % {"variable": location["set_by"]}
        )
        engine = ENGINES.get(location["engine"], location["engine"])
        if counts is not None:
            content = (
                _("%(frameworks)s framework(s), %(units)s unit(s), %(accounts)s account(s)")
                % counts
            )
        elif exists is False:
            content = no_database_message()
        else:
            content = "—"
        rows = [
            (_("Database"), f"{engine}: {location['location']} ({set_by})"),
            (_("Data directory"), str(settings.DATA_DIR)),
            (_("Evidence documents"), str(settings.EVIDENCE_ROOT)),
            (_("Signing key"), key_file() or _("from the environment (SECRET_KEY)")),
            (_("Content"), content),
        ]
        width = max(text_width(label) for label, _value in rows) + 2
        lines = [f"parindex {__version__}"]
        lines += [
            label + ":" + " " * (width - text_width(label) - 1) + value for label, value in rows
        ]
        lines.append("")
        lines.append(
            textwrap.fill(
                _(
                    "To keep the data elsewhere, set PARINDEX_DATA_DIR (a directory for the "
                    "embedded database and the evidence documents) or DATABASE_URL (e.g. "
                    "postgres://user:password@host:5432/parindex) before every parindex command."
                ),
                width=79,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
        return "\n".join(lines)
