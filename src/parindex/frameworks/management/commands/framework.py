from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import (
    TranslatedCommand,
    emit_json,
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


class Command(TranslatedCommand):
    help = gettext_lazy("Frameworks (bộ tiêu chí): validate, import, publish, export, list.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help=_("Check a YAML or XLSX framework file."))
        validate.add_argument("file")
        imp = sub.add_parser("import", help=_("Import a YAML or XLSX file; prints the code."))
        imp.add_argument("file")
        imp.add_argument("--publish", action="store_true", help=_("Publish it (immutable)."))
        publish = sub.add_parser("publish", help=_("Publish a framework: it can no longer change."))
        publish.add_argument("code")
        export = sub.add_parser("export", help=_("Write a framework to YAML or XLSX."))
        export.add_argument("code")
        export.add_argument("-o", "--output", required=True)
        listing = sub.add_parser("list", help=_("List the frameworks."))
        listing.add_argument("--json", action="store_true")

    def handle(self, *args, action, **options):
        getattr(self, "handle_" + action)(**options)

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
        try:
            framework = publish_framework(code)
        except FrameworkRefused as exc:
            raise _refused(exc) from None
        self.stdout.write(_("framework %(code)s is published") % {"code": framework.code})

    def handle_export(self, code, output, **options):
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
