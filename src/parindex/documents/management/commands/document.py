"""`parindex document KIND --unit CODE --framework CODE [-o FILE] [--format docx|pdf]
[--language vi|en]`: an
official document from the data; `parindex document check FILE`: numbers in a report that
contradict each other."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.assessments.errors import ActionRefused
from parindex.commands import (
    NEED,
    NO_DATABASE,
    ParindexCommand,
    emit_json,
    get_framework_or_refuse,
    get_unit_or_refuse,
)
from parindex.documents.checking import check_file, findings_json
from parindex.documents.context import KIND_LABELS, KINDS
from parindex.documents.layout import LANGUAGES
from parindex.documents.reading import ReadRefused
from parindex.documents.render import DOCX, FORMATS, appendix, generate
from parindex.domain import numbercheck
from parindex.messages import render


class Command(ParindexCommand):
    help = gettext_lazy(
        "Official documents, in the Decree 30/2020 layout, from the data: results-letter (the "
        "letter that disseminates the results and the lessons), remediation-plan (the plan "
        "from its items), annual-report (the year's CCHC report from the registers), "
        "self-assessment (the self-assessment report, with its XLSX appendix); in Vietnamese, "
        "or in English with --language en. check: "
        "the numbers in a report (.docx, PDF or text) that "
        "contradict each other — a rate that does not match its counts, parts that do not add "
        "up to their total, an increase or decrease that contradicts its numbers, a score above "
        "its maximum, a rank beyond the number ranked — each with its sentence and a correction."
    )
    summary = gettext_lazy("Official documents from the data; check a report's numbers")
    database_use = {None: NO_DATABASE, "check": NO_DATABASE} | {kind: NEED for kind in KINDS}

    def add_arguments(self, parser):
        actions = self.add_actions(parser)
        check = self.add_action(
            actions, "check", _("Find the numbers in a report that contradict each other.")
        )
        self.add_file(check, _("the report: .docx, .pdf or UTF-8 text"))
        self.add_json(check)
        for kind in KINDS:
            action = self.add_action(actions, kind, capfirst(_(KIND_LABELS[kind])) + ".")
            self.add_framework(action)
            action.add_argument(
                "--unit", required=True, metavar=_("CODE"), help=_("the unit, by its code")
            )
            action.add_argument(
                "-o",
                "--output",
                metavar=_("FILE"),
                help=_("the file to write; default: a name of the kind, unit and framework"),
            )
            action.add_argument(
                "--format",
                choices=FORMATS,
                default=DOCX,
                help=_("docx (default) or pdf (through LibreOffice)"),
            )
            action.add_argument(
                "--language",
                choices=LANGUAGES,
                default="vi",
                help=_("the document's language: vi (default) or en"),
            )

    def handle(self, *args, **options):
        action = options.get("action")
        if action in KINDS:
            options.pop("action")
            self.generate(action, **options)
            return
        self.handle_action(options, "document")

    def generate(self, kind, framework, unit, output=None, format=DOCX, language="vi", **options):
        model, unit_model = get_framework_or_refuse(framework), get_unit_or_refuse(unit)
        try:
            data, name = generate(kind, model, unit_model, fmt=format, language=language)
        except ActionRefused as exc:
            raise CommandError(render(exc.message)) from None
        target = Path(output or name)
        target.write_bytes(data)
        self.stdout.write(_("Written %(path)s") % {"path": target})
        extra = appendix(kind, model, unit_model, language)
        if extra is not None:
            sheet = target.with_name(target.stem + "-appendix.xlsx")
            sheet.write_bytes(extra[0])
            self.stdout.write(_("Written %(path)s") % {"path": sheet})

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
            self.stdout.write(f"- {capfirst(_(numbercheck.KIND_LABELS[finding.kind]))}")
            self.stdout.write(f"  « {finding.sentence} »")
            self.stdout.write("  " + render(finding.suggestion))
