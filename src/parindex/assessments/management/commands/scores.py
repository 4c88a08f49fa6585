import getpass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.assessments.models import Stage
from parindex.assessments.services import import_scores
from parindex.commands import TranslatedCommand, refuse_table
from parindex.tables import TableError


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Scores by stage: import (CSV/XLSX: unit, criterion, points or value, note)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help=_("Import scores; all rows or none."))
        imp.add_argument("file")
        imp.add_argument("--framework", required=True)
        imp.add_argument("--stage", choices=Stage.values, default=Stage.SELF)
        imp.add_argument(
            "--by",
            help=_("Who enters the scores (for the audit trail); default: the login name."),
        )
        imp.add_argument(
            "--reason",
            default="",
            help=_("Why (for the audit trail); default: the file name."),
        )

    def handle(self, *args, action, **options):
        getattr(self, "handle_" + action)(**options)

    def handle_import(self, file, framework, stage, by=None, reason="", **options):
        actor = by or getpass.getuser()
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
