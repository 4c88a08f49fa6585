import time

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import (
    CREATE,
    NO_DATABASE,
    SHOW,
    HelpFormatter,
    ParindexCommand,
    emit_json,
    refuse_table,
    table,
)
from parindex.domain.numbers import format_number
from parindex.registers.models import RegisterImport, RegisterKind

# How often the progress bar is redrawn, at most (seconds).
BAR_EVERY = 0.2
BAR_WIDTH = 30


class ProgressBar:
    """A plain text bar on stderr, redrawn in place:
    “[#####-----]  52 % kiểm tra 520.000/1.000.000”."""

    def __init__(self, stream):
        self.stream = stream
        self.last = 0.0
        self.drawn = False

    def __call__(self, step: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < BAR_EVERY and done < total:
            return
        self.last = now
        share = done / total if total else 0.0
        filled = int(BAR_WIDTH * share)
        names = {"read": _("reading"), "check": _("checking"), "load": _("loading")}
        line = "\r[{}{}] {:>3} % {} {}/{}".format(
            "#" * filled,
            "-" * (BAR_WIDTH - filled),
            int(share * 100),
            names.get(step, step),
            format_number(done, 0),
            format_number(total, 0),
        )
        self.stream.write(line.ljust(72))
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()
            self.drawn = False


class Command(ParindexCommand):
    help = gettext_lazy(
        "The operational registers: import a register file (dossiers, citizen feedback, "
        "directive tasks, required reports, plan tasks), list the recent imports."
    )
    summary = gettext_lazy("Operational registers: import a file, list the imports, data quality")
    database_use = {
        None: NO_DATABASE,
        "import": CREATE,
        "imports": SHOW,
        "list": SHOW,
        "quality": SHOW,
    }

    def add_arguments(self, parser):
        actions = self.add_actions(parser)
        imp = self.add_action(
            actions,
            "import",
            _("Import a register file (CSV or XLSX); see docs/registers-format.md."),
        )
        imp.add_argument(
            "kind",
            choices=RegisterKind.values,
            metavar=_("REGISTER"),
            help=_("the register: %(kinds)s") % {"kinds": ", ".join(RegisterKind.values)},
        )
        self.add_file(imp, _("the register file (.csv or .xlsx)"))
        imp.add_argument(
            "--unit",
            metavar=_("CODE"),
            help=_("the unit of every row (otherwise the file names the unit on each row)"),
        )
        imp.add_argument(
            "--skip-invalid",
            action="store_true",
            help=_(
                "import the valid rows and write the rejected ones with their reasons to a "
                "file (by default one invalid row refuses the whole file)"
            ),
        )
        imp.add_argument(
            "--rejected",
            metavar=_("FILE"),
            help=_("where --skip-invalid writes the rejected rows (default: FILE.rejected.csv)"),
        )
        self.add_json(imp)
        listing = actions.add_parser(
            "imports",
            aliases=["list"],
            help=_("List the recent register imports."),
            description=_("List the recent register imports."),
            formatter_class=HelpFormatter,
        )
        listing.add_argument(
            "--limit",
            type=int,
            default=20,
            metavar=_("N"),
            help=_("how many imports to show (default 20)"),
        )
        self.add_json(listing)
        quality = self.add_action(
            actions,
            "quality",
            _("The data-quality report of the dossier register of a unit (or every unit)."),
        )
        quality.add_argument("unit", nargs="?", metavar=_("CODE"), help=_("the unit's code"))
        quality.add_argument("--all", action="store_true", help=_("every unit"))
        quality.add_argument("--year", type=int, help=_("the year of reception"))
        self.add_json(quality)

    def handle(self, *args, **options):
        self.handle_action(options, "registers")

    def handle_quality(self, **options):
        _quality_handler(self, **options)

    def handle_import(self, kind, file, unit=None, skip_invalid=False, rejected=None, **options):
        from parindex.registers.imports import import_register, problem_record
        from parindex.tables import TableError

        as_json = options.get("json", False)
        stream = self.stderr._out
        bar = ProgressBar(stream) if getattr(stream, "isatty", lambda: False)() else None
        try:
            report = import_register(
                kind,
                file,
                unit=unit,
                skip_invalid=skip_invalid,
                rejected_path=rejected,
                user=None,
                actor="cli",
                progress=bar,
            )
        except TableError as exc:
            if as_json:
                emit_json(self, self._refused_json(kind, file, exc, problem_record))
            refuse_table(self, exc)
        finally:
            if bar:
                bar.close()
        if as_json:
            emit_json(
                self,
                {
                    "kind": kind,
                    "file": str(file),
                    "rows": report.rows,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                    "rejected": report.rejected,
                    "rejected_file": str(report.rejected_path) if report.rejected_path else None,
                    "problems": [problem_record(p) for p in report.problems],
                    "quality": list(report.batch.quality or []),
                },
            )
            return
        for finding in report.batch.quality or []:
            self.stderr.write(_("data quality: %(finding)s") % {"finding": _quality_line(finding)})
        if report.rejected:
            self.stderr.write(
                _("%(count)s row(s) rejected, written with their reasons to %(path)s")
                % {"count": format_number(report.rejected, 0), "path": report.rejected_path}
            )
        self.stdout.write(
            _(
                "%(register)s: %(rows)s row(s) read; %(created)s new, %(updated)s changed, "
                "%(unchanged)s unchanged, %(rejected)s rejected"
            )
            % {
                "register": RegisterKind(kind).label,
                "rows": format_number(report.rows, 0),
                "created": format_number(report.created, 0),
                "updated": format_number(report.updated, 0),
                "unchanged": format_number(report.unchanged, 0),
                "rejected": format_number(report.rejected, 0),
            }
        )

    @staticmethod
    def _refused_json(kind, file, exc, problem_record) -> dict:
        return {
            "kind": kind,
            "file": str(file),
            "rows": 0,
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "rejected": len({p.row for p in exc.problems if p.row is not None}),
            "rejected_file": None,
            "problems": [problem_record(p) for p in exc.problems],
            "quality": [],
        }

    def handle_list(self, **options):
        self.handle_imports(**options)

    def handle_imports(self, limit=20, json=False, **options):
        if limit < 1:
            raise CommandError(_("--limit must be at least 1"))
        imports = list(RegisterImport.objects.select_related("unit").order_by("-at", "-id")[:limit])
        data = [
            {
                "id": item.pk,
                "kind": item.kind,
                "file": item.name,
                "sha256": item.sha256,
                "unit": item.unit.code if item.unit else None,
                "by": item.actor,
                "state": item.state,
                "at": item.at.isoformat(),
                "finished": item.finished.isoformat() if item.finished else None,
                "rows": item.total,
                "created": item.created,
                "updated": item.updated,
                "unchanged": item.unchanged,
                "rejected": item.rejected,
                "problems": len(item.problems or []),
                "quality": len(item.quality or []),
            }
            for item in imports
        ]
        if json:
            emit_json(self, data)
            return
        if not data:
            self.stdout.write(_("no register import yet"))
            return
        from django.utils import formats, timezone

        rows = [
            [
                str(item.pk),
                formats.date_format(timezone.localtime(item.at), "SHORT_DATETIME_FORMAT"),
                str(RegisterKind(item.kind).label),
                item.name,
                item.get_state_display(),
                format_number(item.total, 0),
                format_number(item.created, 0),
                format_number(item.updated, 0),
                format_number(item.unchanged, 0),
                format_number(item.rejected, 0),
                item.actor,
            ]
            for item in imports
        ]
        headers = [
            "#",
            _("At"),
            _("Register"),
            _("File"),
            _("State"),
            _("Rows"),
            _("New"),
            _("Changed"),
            _("Unchanged"),
            _("Rejected"),
            _("By"),
        ]
        self.stdout.write(table(headers, rows, right={0, 5, 6, 7, 8, 9}))


def _quality_handler(command, unit=None, all=False, year=None, json=False, **options):
    from parindex.registers.quality import check_dossiers
    from parindex.units.models import Unit

    if bool(unit) == bool(all):
        raise CommandError(_("name one unit or give --all"))
    unit_ids = None
    if unit:
        found = Unit.objects.filter(code=unit).first()
        if found is None:
            raise CommandError(_("unit “%(code)s” does not exist") % {"code": unit})
        unit_ids = [found.pk]
    findings = [f.as_dict() for f in check_dossiers(unit_ids, year)]
    if json:
        emit_json(command, {"unit": unit, "year": year, "findings": findings})
        return
    if not findings:
        command.stdout.write(_("No problem found."))
    for finding in findings:
        command.stdout.write(_quality_line(finding))


def _quality_line(finding) -> str:
    """“12 × due date before the reception (e.g. BVDK 000.00.01.H38-230105-0003, …)”."""
    if not isinstance(finding, dict):
        return str(finding)
    examples = ", ".join(
        f"{e.get('unit', '')} {e.get('dossier', '')}".strip() for e in finding.get("examples", [])
    )
    line = f"{finding.get('count', '?')} × {finding.get('message', '')}"
    return f"{line} ({examples}, …)" if examples else line
