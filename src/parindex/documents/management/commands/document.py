"""`parindex document check FILE`: numbers in a report that contradict each other."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import NO_DATABASE, ParindexCommand, emit_json
from parindex.documents.checking import check_file, findings_json
from parindex.documents.reading import ReadRefused
from parindex.domain import numbercheck
from parindex.messages import render


class Command(ParindexCommand):
    help = gettext_lazy(
        "Official documents. check: the numbers in a report (.docx, PDF or text) that "
        "contradict each other — a rate that does not match its counts, parts that do not add "
        "up to their total, an increase or decrease that contradicts its numbers, a score above "
        "its maximum, a rank beyond the number ranked — each with its sentence and a correction."
    )
    summary = gettext_lazy("Official documents: check a report's numbers")
    database_use = NO_DATABASE

    def add_arguments(self, parser):
        actions = self.add_actions(parser)
        check = self.add_action(
            actions, "check", _("Find the numbers in a report that contradict each other.")
        )
        self.add_file(check, _("the report: .docx, .pdf or UTF-8 text"))
        self.add_json(check)

    def handle(self, *args, **options):
        self.handle_action(options, "document")

    def handle_check(self, file, json=False, **options):
        try:
            findings = check_file(Path(file))
        except ReadRefused as exc:
            raise CommandError(render(exc.message)) from None
        if json:
            emit_json(self, findings_json(findings))
            return
        if not findings:
            self.stdout.write(_("No number contradicts another."))
            return
        self.stdout.write(_("%(count)s numbers contradict each other:") % {"count": len(findings)})
        for finding in findings:
            self.stdout.write("")
            self.stdout.write(f"- {_(numbercheck.KIND_LABELS[finding.kind]).capitalize()}")
            self.stdout.write(f"  « {finding.sentence} »")
            self.stdout.write("  " + render(finding.suggestion))
