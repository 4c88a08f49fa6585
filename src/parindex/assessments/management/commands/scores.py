import getpass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.assessments.models import Stage
from parindex.assessments.services import import_scores
from parindex.commands import (
    NEED,
    NO_DATABASE,
    ParindexCommand,
    get_framework_or_refuse,
    refuse_table,
)
from parindex.tables import TableError


def login_name() -> str:
    """Who runs the command, for the audit trail (a container may have no user entry)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "parindex"


class Command(ParindexCommand):
    help = gettext_lazy(
        "Scores by stage: import (CSV/XLSX: unit, criterion, points or value, note)."
    )
    summary = gettext_lazy("Scores by stage: import from CSV or XLSX (all rows or none)")
    # Scores belong to a framework: no database means nothing to import them into.
    database_use = {None: NO_DATABASE, "import": NEED}

    def add_arguments(self, parser):
        actions = self.add_actions(parser)
        imp = self.add_action(actions, "import", _("Import scores; all rows or none."))
        self.add_file(
            imp,
            _("the scores file (.csv or .xlsx) with the columns unit, criterion, points, note"),
        )
        self.add_framework(imp)
        stages = ", ".join(f"{value} ({label})" for value, label in Stage.choices)
        imp.add_argument(
            "--stage",
            choices=Stage.values,
            default=Stage.SELF,
            metavar=_("STAGE"),
            help=_("the stage the scores belong to: %(stages)s; default: self")
            % {"stages": stages},
        )
        imp.add_argument(
            "--by",
            metavar=_("NAME"),
            help=_("Who enters the scores (for the audit trail); default: the login name."),
        )
        imp.add_argument(
            "--reason",
            default="",
            metavar=_("TEXT"),
            help=_("Why (for the audit trail); default: the file name."),
        )

    def handle(self, *args, **options):
        self.handle_action(options, "scores")

    def handle_import(self, file, framework, stage, by=None, reason="", **options):
        get_framework_or_refuse(framework)
        actor = by or login_name()
        try:
            report = import_scores(file, framework, stage, actor=actor, reason=reason)
        except TableError as exc:
            refuse_table(self, exc)
        self.stdout.write(
            _(
                "%(stage)s scores for %(framework)s: %(rows)s rows, %(created)s new, "
                "%(updated)s changed, %(unchanged)s unchanged"
            )
            % {
                "stage": Stage(stage).label,
                "framework": framework,
                "rows": report.rows,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
        )
