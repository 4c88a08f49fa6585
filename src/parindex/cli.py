"""The `parindex` console script.

Every sub-command is a Django management command (NetBox's pattern), so `parindex migrate`,
`parindex framework import …` and `python -m parindex …` all run through one code path. But the
command line belongs to parindex: `parindex`, `parindex --help` and `parindex help` list
parindex's own commands by group, described in the user's language; Django's developer
commands (`flush`, `dbshell`, `makemigrations` …) still run, and `parindex help --all` lists
them. argparse speaks the user's language too, and a refused command says why in one line.

The database: each parindex command says what it does with it (`commands.database_use`): a
command that only reads never creates an empty database; one that writes creates or upgrades
the embedded SQLite file first. A PostgreSQL database is never changed behind the operator's
back: a command refuses to run on an outdated schema and says to run `parindex migrate`.
"""

import difflib
import os
import sys

from parindex.domain.i18n import gettext_noop as N_

# parindex's own commands, as `parindex help` lists them.
GROUPS = (
    (N_("Frameworks"), ("framework",)),
    (N_("Units"), ("units",)),
    (N_("Scores and results"), ("scores", "results")),
    (N_("Registers and indicators"), ("registers", "indicators", "calendar")),
    (N_("Improvement"), ("losses", "what-if", "plan", "remind")),
    (N_("Documents"), ("document",)),
    (N_("System"), ("info", "demo", "serve", "migrate")),
)
OWN_COMMANDS = {name for _group, names in GROUPS for name in names}

# Django's commands that manage the schema or the code themselves, or need no database; the
# others (createsuperuser, changepassword …) get the embedded database created first.
NO_SCHEMA_CHECK = {
    "makemigrations",
    "showmigrations",
    "sqlmigrate",
    "squashmigrations",
    "makemessages",
    "compilemessages",
    "check",
    "shell",
    "dbshell",
    "diffsettings",
    "startapp",
    "startproject",
}
HELP = {"help", "-h", "--help"}
# The commands that serve pages (or may sign something, `shell`): they need the installation's
# signing key, made on first use in DATA_DIR (settings.signing_key). Every other command signs
# nothing that outlives it and must create nothing when it only reads.
KEYED_COMMANDS = {"serve", "runserver", "testserver", "shell"}


def _setup() -> None:
    """Django set-up; a broken configuration is one line, not a traceback."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:  # before set-up nothing can be translated
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(1)
    from parindex.commands import translate_argparse

    translate_argparse()


def _command(name: str):
    from django.core.management import get_commands, load_command_class

    return load_command_class(get_commands()[name], name)


def main_help(show_all: bool = False) -> str:
    """The list of `parindex help`: the groups of parindex's commands, a line each."""
    from django.utils.translation import gettext as _

    from parindex import __version__
    from parindex.commands import text_width

    lines = [
        _("parindex %(version)s — the PAR Index (Chỉ số CCHC) of a Sở Y tế")
        % {"version": __version__},
        "",
        _("Usage: parindex COMMAND [options]"),
    ]
    width = max(len(name) for name in OWN_COMMANDS) + 3
    for group, names in GROUPS:
        lines += ["", _(group) + ":"]
        for name in names:
            command = _command(name)
            summary = str(command.summary or command.help)
            lines.append("  " + name + " " * (width - text_width(name)) + summary)
    lines += [
        "",
        _("Help on one command: parindex help COMMAND (or parindex COMMAND --help)."),
    ]
    if not show_all:
        lines.append(_("Django's developer commands: parindex help --all."))
        return "\n".join(lines)
    from django.core.management import get_commands

    by_app: dict[str, list[str]] = {}
    for name, app in get_commands().items():
        if name not in OWN_COMMANDS:
            label = "django" if app == "django.core" else app.rpartition(".")[2]
            by_app.setdefault(label, []).append(name)
    lines += ["", _("Developer commands (Django's, in English):")]
    for app in sorted(by_app):
        lines.append(f"  [{app}]")
        lines += [f"    {name}" for name in sorted(by_app[app])]
    return "\n".join(lines)


def _unknown(name: str) -> None:
    from django.core.management import get_commands
    from django.utils.translation import gettext as _

    from parindex.commands import error_line

    close = difflib.get_close_matches(name, sorted(OWN_COMMANDS) + sorted(get_commands()), n=1)
    message = _("there is no command “%(name)s”") % {"name": name}
    if close:
        message += "; " + _("did you mean “%(command)s”?") % {"command": close[0]}
    message += " " + _("(the commands: parindex help)")
    sys.stderr.write(error_line(message) + "\n")
    sys.exit(1)


def _run(args: list[str]) -> None:
    from django.core.management import execute_from_command_line, get_commands

    if not args or args[0] in HELP:
        rest = args[1:]
        if not rest or rest == ["--all"]:
            sys.stdout.write(main_help(show_all=bool(rest)) + "\n")
            return
        args = [rest[0], "--help"]  # parindex help results = parindex results --help
    if args[0] in ("--version", "version"):
        from parindex import __version__

        sys.stdout.write(f"parindex {__version__}\n")
        return
    name = args[0]
    if name not in get_commands():
        _unknown(name)
    if name not in OWN_COMMANDS and name not in NO_SCHEMA_CHECK and "--help" not in args:
        from django.core.management.base import CommandError

        from parindex.commands import ensure_schema, error_line

        try:
            ensure_schema()
        except CommandError as exc:
            sys.stderr.write(error_line(str(exc)) + "\n")
            sys.exit(1)
    execute_from_command_line(["parindex", *args])


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in KEYED_COMMANDS:
        os.environ.pop("PARINDEX_NO_KEY_FILE", None)
    else:
        os.environ["PARINDEX_NO_KEY_FILE"] = "1"
    try:
        _setup()
        _run(args)
        sys.stdout.flush()
    except KeyboardInterrupt:
        sys.exit(130)
    except BrokenPipeError:
        # The reader went away (`parindex results … | head`): nothing more to say. Python
        # flushes stdout once more at exit; point it at /dev/null so that this stays quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(1)
