"""What every `parindex` command shares: its parser (options explained, argparse's own words in
the user's language, an error in one line), where its data is, and output helpers (problem
lists, JSON, tables).

A command says what it does with the database (`database_use`, per action when it has
actions): a command that only reads never creates an empty database where none is, it says
where it looked and what to run instead.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import unicodedata
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import (
    BaseCommand,
    CommandError,
    CommandParser,
    DjangoHelpFormatter,
    SystemCheckError,
    handle_default_options,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext_lazy

from parindex.messages import render, render_problem
from parindex.tables import MAX_SHOWN, TableError, first_problems

# --- argparse in the user's language --------------------------------------------------------
# argparse translates its own words with the module-level `_`/`ngettext` it imported from
# `gettext`; `translate_argparse` points them at Django's catalogue. The messages a parindex
# user can meet are listed here so that makemessages extracts them.
ARGPARSE_MESSAGES = (
    gettext_noop("usage: "),
    gettext_noop("positional arguments"),
    gettext_noop("options"),
    gettext_noop("show this help message and exit"),
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("one of the arguments %s is required"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("not allowed with argument %s"),
    gettext_noop("ignored explicit argument %r"),
    gettext_noop("expected one argument"),
    gettext_noop("expected at most one argument"),
    gettext_noop("expected at least one argument"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("unexpected option string: %s"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("unknown parser %(parser_name)r (choices: %(choices)s)"),
    gettext_noop("can't open '%(filename)s': %(error)s"),
)
ARGPARSE_PLURALS = (ngettext_lazy("expected %s argument", "expected %s arguments"),)


def translate_argparse() -> None:
    """Route argparse's own messages through Django's translation (once the apps are ready)."""
    from django.utils import translation

    def gettext(message):
        # argparse also passes None (a group without description); "" is the catalogue header.
        return translation.gettext(message) if isinstance(message, str) and message else message

    argparse._ = gettext
    argparse.ngettext = translation.ngettext


def os_error_message(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.filename:
        return _("%(path)s: %(reason)s") % {"path": exc.filename, "reason": reason}
    return reason


def error_line(message: str) -> str:
    return _("error: %(message)s") % {"message": message}


class HelpFormatter(DjangoHelpFormatter):
    """Actions (`framework validate`, `framework list` …) listed one a line with their help,
    without argparse's line of their metavar above them."""

    def _format_action(self, action):
        if isinstance(action, argparse._SubParsersAction):
            return "".join(self._format_action(sub) for sub in action._get_subactions())
        return super()._format_action(action)


class ParindexParser(CommandParser):
    """Django's parser, refusing bad arguments in one line that says where help is."""

    def error(self, message):
        if not self.called_from_command_line:
            super().error(message)  # call_command: a CommandError for the caller
        self.exit(
            2,
            _("error: %(message)s (see “%(prog)s --help”)")
            % {"message": message, "prog": self.prog}
            + "\n",
        )


def port_number(text: str) -> int:
    """An argparse type: a TCP port, refused in the user's words."""
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a port number (1 to 65535)") % {"value": text}
        )
    return port


def positive_number(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            _("“%(value)s” is not a whole number of at least 1") % {"value": text}
        )
    return number


def date_value(text: str):
    """An argparse type: a date written dd/mm/yyyy (as everywhere in parindex) or ISO
    (yyyy-mm-dd, what scripts write)."""
    import datetime as dt

    text = text.strip()
    for parse in (
        lambda t: dt.datetime.strptime(t, "%d/%m/%Y").date(),
        lambda t: dt.date.fromisoformat(t) if len(t) == 10 else None,
    ):
        try:
            value = parse(text)
        except ValueError:
            continue
        if value is not None:
            return value
    raise argparse.ArgumentTypeError(
        _("“%(value)s” is not a date (dd/mm/yyyy or yyyy-mm-dd)") % {"value": text}
    )


# --- what a command does with the database --------------------------------------------------
NO_DATABASE = None  # needs none (checks a file, prints help)
SHOW = "show"  # reads; where there is no database it says so and shows nothing (exit 0)
NEED = "need"  # reads what must be there: no database is an error
CREATE = "create"  # writes: the embedded database is created or upgraded first
SELF = "self"  # the command sees to the database itself (migrate, demo, serve, info)


def database_location() -> dict:
    """Where the data is: engine, location (a file, or an address without its password) and
    what chose it (DATABASE_URL, PARINDEX_DATA_DIR, XDG_DATA_HOME or the default)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        engine, location = "sqlite", str(db["NAME"])
    else:
        engine = db["ENGINE"].rsplit(".", 1)[-1]
        user = f"{db['USER']}@" if db.get("USER") else ""
        port = f":{db['PORT']}" if db.get("PORT") else ""
        location = f"{engine}://{user}{db.get('HOST') or 'localhost'}{port}/{db['NAME']}"
    for variable in ("DATABASE_URL", "PARINDEX_DATA_DIR", "XDG_DATA_HOME"):
        if os.getenv(variable):
            set_by = variable
            break
    else:
        set_by = "default"
    return {"engine": engine, "location": location, "set_by": set_by}


def cannot_open(exc: Exception) -> CommandError:
    return CommandError(
        _("cannot open the database %(where)s: %(reason)s")
        % {"where": database_location()["location"], "reason": str(exc).strip() or repr(exc)}
    )


def database_missing() -> bool:
    """True when there is no parindex database yet: no SQLite file (an empty file counts as
    none), or a server database without parindex's tables. Creates nothing."""
    from django.db import DatabaseError, connection
    from django.db.migrations.recorder import MigrationRecorder

    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            return False
        path = Path(name)
        return not path.is_file() or path.stat().st_size == 0
    try:
        return not MigrationRecorder(connection).has_table()
    except DatabaseError as exc:
        raise cannot_open(exc) from None


def no_database_message() -> str:
    return _(
        "there is no database at %(where)s yet: run “parindex demo” (the demo province) or "
        "“parindex migrate” (an empty database)"
    ) % {"where": database_location()["location"]}


def ensure_schema() -> None:
    """The embedded SQLite database creates and upgrades itself; a server database is never
    changed behind the operator's back: an outdated schema is refused."""
    from django.core.management import call_command
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        raise cannot_open(exc) from None
    if not plan:
        return
    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        return
    if database_missing():  # an empty server database: not "out of date", just not there
        raise CommandError(no_database_message())
    raise CommandError(
        _("the database schema at %(where)s is out of date: run “parindex migrate” first")
        % {"where": database_location()["location"]}
    )


class ParindexCommand(BaseCommand):
    """A parindex command: a translated description (`help`, and `summary` for the list of
    `parindex help`), every option explained, Django's developer options working but not
    listed, errors in one line, and the database prepared as `database_use` says."""

    summary = ""
    database_use: str | dict | None = CREATE
    # Django's system checks look at the code (models, URLs, settings), not at the data: they
    # run where the code is put to work (`parindex serve`, `parindex migrate`) and in the test
    # suite, not before every import or listing, which they would keep waiting a third of a
    # second (the check of the URLs imports every page's module).
    requires_system_checks: list | str = []
    empty_json: object = ()  # what `--json` prints where there is no database (a SHOW)

    def get_version(self):
        from parindex import __version__

        return __version__

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        parser = ParindexParser(
            prog=f"{os.path.basename(prog_name)} {subcommand}",
            description=str(self.help) or None,
            missing_args_message=getattr(self, "missing_args_message", None),
            called_from_command_line=getattr(self, "_called_from_command_line", None),
            **kwargs,
        )
        # Django's own options keep working (scripts, --traceback for a developer) but are
        # not part of what `--help` explains to a user.
        hidden = argparse.SUPPRESS
        parser.add_argument("--version", action="version", version=self.get_version(), help=hidden)
        parser.add_argument(
            "-v", "--verbosity", default=1, type=int, choices=[0, 1, 2, 3], help=hidden
        )
        parser.add_argument("--settings", help=hidden)
        parser.add_argument("--pythonpath", help=hidden)
        parser.add_argument("--traceback", action="store_true", help=hidden)
        parser.add_argument("--no-color", action="store_true", help=hidden)
        parser.add_argument("--force-color", action="store_true", help=hidden)
        parser.add_argument("--skip-checks", action="store_true", help=hidden)
        self.add_arguments(parser)
        return parser

    # Helpers for add_arguments: the same words for the same options everywhere.
    @staticmethod
    def add_actions(parser):
        """Sub-commands (`framework validate …`); none given prints the command's help."""
        return parser.add_subparsers(
            dest="action",
            title=_("actions"),
            metavar=_("ACTION"),
            help=_("what to do: one of the actions below"),
            parser_class=ParindexParser,
        )

    @staticmethod
    def add_action(actions, name: str, help: str):
        return actions.add_parser(name, help=help, description=help, formatter_class=HelpFormatter)

    @staticmethod
    def add_file(parser, help: str):
        parser.add_argument("file", metavar=_("FILE"), help=help)

    @staticmethod
    def add_json(parser):
        parser.add_argument(
            "--json",
            action="store_true",
            help=_("print one JSON document to stdout (for scripts) instead of a table"),
        )

    @staticmethod
    def add_framework(parser, required: bool = True):
        parser.add_argument(
            "--framework",
            required=required,
            metavar=_("CODE"),
            help=_("the framework, by its code (e.g. so-2022; see “parindex framework list”)"),
        )

    def database_use_for(self, options: dict):
        use = self.database_use
        if isinstance(use, dict):
            return use.get(options.get("action"))
        return use

    def run_from_argv(self, argv):
        self._called_from_command_line = True
        parser = self.create_parser(argv[0], argv[1])
        options = parser.parse_args(argv[2:])
        cmd_options = vars(options)
        args = cmd_options.pop("args", ())
        handle_default_options(options)
        try:
            self.execute(*args, **cmd_options)
        except CommandError as exc:
            if options.traceback:
                raise
            if isinstance(exc, SystemCheckError):
                self.stderr.write(str(exc), lambda text: text)
            else:
                self.stderr.write(error_line(str(exc)))
            sys.exit(exc.returncode)
        except BrokenPipeError:
            raise  # the reader went away: cli.main ends quietly
        except OSError as exc:
            # A file the system refused (no permission, a full disk …) that no check caught
            # before: the reason and the file, not a traceback.
            if options.traceback:
                raise
            self.stderr.write(error_line(os_error_message(exc)))
            sys.exit(1)
        finally:
            from django.db import connections

            with contextlib.suppress(ImproperlyConfigured):  # settings never loaded
                connections.close_all()

    def execute(self, *args, **options):
        if getattr(self, "_called_from_command_line", False):
            use = self.database_use_for(options)
            if use in (SHOW, NEED) and database_missing():
                if use == NEED:
                    raise CommandError(no_database_message())
                self.stderr.write(no_database_message())
                if options.get("json"):
                    emit_json(self, list(self.empty_json))
                return None
            if use in (SHOW, NEED, CREATE):
                ensure_schema()
        return super().execute(*args, **options)

    def handle_action(self, options: dict, name: str):
        """Run `handle_<action>`, or print the command's help when no action is given."""
        action = options.pop("action", None)
        if action is None:
            self.print_help("parindex", name)
            return
        getattr(self, "handle_" + action)(**options)


def unknown_framework(code: str) -> CommandError:
    """The refusal of a framework code that does not exist, with the codes that do."""
    from parindex.frameworks.models import Framework

    existing = [
        f"{framework.code} ({framework.get_status_display()})"
        for framework in Framework.objects.order_by("-year", "code")
    ]
    if existing:
        return CommandError(
            _("framework “%(code)s” does not exist; the frameworks are: %(codes)s")
            % {"code": code, "codes": ", ".join(existing)}
        )
    return CommandError(
        _(
            "framework “%(code)s” does not exist: the database at %(where)s has no framework "
            "yet; run “parindex demo” (the demo province) or “parindex framework import FILE”"
        )
        % {"code": code, "where": database_location()["location"]}
    )


def get_unit_or_refuse(code: str):
    from parindex.units.models import Unit

    unit = Unit.objects.select_related("group").filter(code=code).first()
    if unit is None:
        raise CommandError(_("there is no unit “%(unit)s”") % {"unit": code})
    return unit


def rank_text(place) -> str:
    """A place as the command tables write it: "3/21", "3=/21" when shared, "—" unranked."""
    if place is None or place.rank is None:
        return "—"
    return f"{place.rank}{'=' if place.tied else ''}/{place.of}"


def get_framework_or_refuse(code: str):
    from parindex.frameworks.models import Framework

    framework = Framework.objects.filter(code=code).first()
    if framework is None:
        raise unknown_framework(code)
    return framework


def emit_json(command, data) -> None:
    command.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))


def more_problems(count: int) -> str:
    """The line that stands for the problems left out of a list shown to a person."""
    return _("… and %(count)s more problem(s)") % {"count": count}


def refuse_problems(command, problems, summary: str) -> None:
    """Stop with a non-zero exit code: one problem about the whole file is the error itself
    (“error: file not found: x.yaml”); otherwise each problem (at most MAX_SHOWN) goes to
    stderr, then the summary."""
    if len(problems) == 1 and not problems[0].path:
        raise CommandError(render_problem(problems[0]))
    shown, more = first_problems(problems, MAX_SHOWN)
    for problem in shown:
        label = _("warning") if not problem.is_error else _("error")
        command.stderr.write(f"{label}: {render_problem(problem)}")
    if more:
        command.stderr.write(more_problems(more))
    raise CommandError(summary)


def describe_row_problem(problem) -> str:
    """“row 3, column “points”: reason” in the active language."""
    where = []
    if problem.row is not None:
        where.append(_("row %(row)s") % {"row": problem.row})
    if problem.column:
        where.append(_("column “%(column)s”") % {"column": problem.column})
    prefix = ", ".join(where)
    return f"{prefix}: {render(problem.message)}" if prefix else render(problem.message)


def table_error_lines(error: TableError, limit: int = MAX_SHOWN) -> list[str]:
    """A refused file's problems as lines for a person, in the active language: the first
    `limit` (“row 3, column “points”: reason”), then “… and N more problem(s)” if any."""
    shown, more = error.shown(limit)
    lines = [describe_row_problem(problem) for problem in shown]
    if more:
        lines.append(more_problems(more))
    return lines


def refuse_table(command, error: TableError) -> None:
    """Stop (exit code 1): a problem with the whole file is the error itself; problems of
    rows are listed in row order (at most MAX_SHOWN), then “nothing was imported”."""
    problems = error.problems
    if len(problems) == 1 and problems[0].row is None:
        raise CommandError(describe_row_problem(problems[0]))
    for line in table_error_lines(error):
        command.stderr.write(line)
    raise CommandError(_("nothing was imported: %(count)s problem(s)") % {"count": len(problems)})


def text_width(text: str) -> int:
    """How many columns a terminal gives the text (combining accents take none)."""
    return sum(0 if unicodedata.combining(ch) else 1 for ch in unicodedata.normalize("NFC", text))


def table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    widths = [max(text_width(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        out = []
        for index, cell in enumerate(cells):
            pad = " " * (widths[index] - text_width(str(cell)))
            out.append(pad + str(cell) if index in right else str(cell) + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])
