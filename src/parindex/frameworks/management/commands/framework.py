from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import (
    CREATE,
    NEED,
    NO_DATABASE,
    SHOW,
    ParindexCommand,
    emit_json,
    get_framework_or_refuse,
    more_problems,
    refuse_problems,
    table,
)
from parindex.domain.numbers import format_number
from parindex.domain.scoring import json_number
from parindex.frameworks.models import Framework
from parindex.frameworks.services import (
    OUTCOME_LABELS,
    FrameworkRefused,
    export_framework,
    import_framework,
    publish_framework,
    validate_file,
)
from parindex.messages import render_problem
from parindex.tables import MAX_SHOWN, first_problems


def _refused(exc: FrameworkRefused) -> CommandError:
    """The reasons of a refusal, without the empty place (“: …”) of a problem about no node."""
    return CommandError("; ".join(render_problem(p) for p in exc.problems.errors))


class Command(ParindexCommand):
    help = gettext_lazy("Frameworks (bộ tiêu chí): validate, import, publish, export, list.")
    summary = gettext_lazy("Criteria sets: check, import, publish, export, list")
    # Checking a file needs no database; listing or exporting never creates one.
    database_use = {
        None: NO_DATABASE,
        "validate": NO_DATABASE,
        "import": CREATE,
        "publish": NEED,
        "export": NEED,
        "list": SHOW,
    }

    def add_arguments(self, parser):
        actions = self.add_actions(parser)
        validate = self.add_action(actions, "validate", _("Check a YAML or XLSX framework file."))
        self.add_file(validate, _("the framework file (.yaml, .yml or .xlsx)"))
        imp = self.add_action(actions, "import", _("Import a YAML or XLSX file; prints the code."))
        self.add_file(imp, _("the framework file (.yaml, .yml or .xlsx)"))
        imp.add_argument("--publish", action="store_true", help=_("Publish it (immutable)."))
        publish = self.add_action(
            actions, "publish", _("Publish a framework: it can no longer change.")
        )
        publish.add_argument("code", metavar=_("CODE"), help=_("the framework's code"))
        export = self.add_action(actions, "export", _("Write a framework to YAML or XLSX."))
        export.add_argument("code", metavar=_("CODE"), help=_("the framework's code"))
        export.add_argument(
            "-o",
            "--output",
            required=True,
            metavar=_("FILE"),
            help=_("the file to write; its extension (.yaml, .yml or .xlsx) decides the format"),
        )
        listing = self.add_action(actions, "list", _("List the frameworks."))
        self.add_json(listing)

    def handle(self, *args, **options):
        self.handle_action(options, "framework")

    @staticmethod
    def write_warnings(stream, warnings) -> None:
        shown, more = first_problems(warnings, MAX_SHOWN)
        for problem in shown:
            stream.write(_("warning") + ": " + render_problem(problem))
        if more:
            stream.write(more_problems(more))

    def handle_validate(self, file, **options):
        framework, problems = validate_file(file)
        self.write_warnings(self.stdout, problems.warnings)
        if framework is None:
            refuse_problems(
                self,
                problems.errors,
                _("%(file)s is not valid: %(count)s error(s)")
                % {"file": file, "count": len(problems.errors)},
            )
        leaves = len(framework.leaves())
        self.stdout.write(
            _(
                "%(file)s is valid: %(code)s, %(nodes)s nodes, %(leaves)s scored "
                "criteria, %(max)s points"
            )
            % {
                "file": file,
                "code": framework.code,
                "nodes": len(list(framework.walk())),
                "leaves": leaves,
                "max": format_number(framework.max),
            }
        )

    def handle_import(self, file, publish, **options):
        try:
            framework, outcome, problems = import_framework(file, publish=publish)
        except FrameworkRefused as exc:
            refuse_problems(
                self, exc.problems.errors, _("%(file)s was not imported") % {"file": file}
            )
        self.write_warnings(self.stderr, problems.warnings)
        self.stdout.write(framework.code)
        self.stderr.write(
            _("framework %(code)s: %(outcome)s")
            % {"code": framework.code, "outcome": OUTCOME_LABELS[outcome]}
        )

    def handle_publish(self, code, **options):
        get_framework_or_refuse(code)
        try:
            framework = publish_framework(code)
        except FrameworkRefused as exc:
            raise _refused(exc) from None
        self.stdout.write(_("framework %(code)s is published") % {"code": framework.code})

    def handle_export(self, code, output, **options):
        get_framework_or_refuse(code)
        try:
            export_framework(code, output)
        except FrameworkRefused as exc:
            raise _refused(exc) from None
        self.stdout.write(output)

    def handle_list(self, json=False, **options):
        frameworks = list(Framework.objects.all())
        if json:
            emit_json(
                self,
                [
                    {
                        "code": f.code,
                        "title": f.title,
                        "year": f.year,
                        "previous": f.previous_code or None,
                        "status": f.status,
                        "max": json_number(f.domain.max),
                    }
                    for f in frameworks
                ],
            )
            return
        if not frameworks:
            self.stdout.write(
                _("No framework yet: import one with “parindex framework import FILE”.")
            )
            return
        rows = [
            [f.code, str(f.year), f.get_status_display(), f.previous_code or "—", f.title]
            for f in frameworks
        ]
        self.stdout.write(
            table([_("Code"), _("Year"), _("Status"), _("Previous"), _("Title")], rows)
        )
