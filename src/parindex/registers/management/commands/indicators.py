"""`parindex indicators UNIT|--all --from DATE --to DATE [--json]`: the registers' indicators of
a unit (or every unit) for a period — the one-stop table (Biểu II.06a), the rates with their
numerator and denominator, the 766/QĐ-TTg points."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import SHOW, ParindexCommand, date_value, emit_json, table
from parindex.domain import indicators as ind
from parindex.domain.i18n import Message
from parindex.domain.numbers import format_number
from parindex.messages import render
from parindex.registers.indicators import REGISTER_OF, compute
from parindex.registers.models import RegisterKind
from parindex.units.models import Unit

REGISTER_LABELS = {name: RegisterKind(kind).label for name, kind in REGISTER_OF.items()}


def _number(figure: ind.Figure, info: ind.IndicatorInfo) -> str:
    if figure.value is None:
        return "—" if figure.denominator is None else _("no denominator")
    if info.kind == ind.RATIO:
        return format_number(figure.value * 100, 2) + " %"
    return format_number(figure.value, 3 if info.kind == ind.POINTS else 0)


def _parts(figure: ind.Figure, info: ind.IndicatorInfo) -> str:
    if info.kind == ind.COUNT or figure.numerator is None:
        return ""
    return f"{format_number(figure.numerator, 0)} / {format_number(figure.denominator, 0)}"


def _plain(value):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(round(value, 6))


class Command(ParindexCommand):
    help = gettext_lazy(
        "Indicators of the registers for a period: the one-stop table (Biểu II.06a), the "
        "rates with numerator and denominator, and the 766/QĐ-TTg points."
    )
    summary = gettext_lazy("Register indicators of a unit or of every unit for a period")
    database_use = SHOW
    empty_json = {"units": []}

    def add_arguments(self, parser):
        parser.add_argument("unit", nargs="?", help=_("the unit's code"))
        parser.add_argument(
            "--all", action="store_true", help=_("every unit that keeps a register")
        )
        parser.add_argument(
            "--from", dest="start", type=date_value, help=_("first day (dd/mm/yyyy)")
        )
        parser.add_argument("--to", dest="end", type=date_value, help=_("last day (dd/mm/yyyy)"))
        parser.add_argument(
            "--year", type=int, help=_("the calendar year instead of --from and --to")
        )
        parser.add_argument(
            "--option",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help=_(
                "a classification choice: compare=date|datetime, early_includes_due, "
                "withdrawn_on_time, supplements_over_one_late (=true/false)"
            ),
        )
        self.add_json(parser)

    def handle(self, *args, unit=None, all=False, start=None, end=None, year=None, **options):
        if bool(unit) == bool(all):
            raise CommandError(_("name one unit or give --all"))
        if year is not None:
            if start or end:
                raise CommandError(_("give --year or --from and --to, not both"))
            if not 1900 <= year <= 9999:
                raise CommandError(_("“%(year)s” is not a year") % {"year": year})
            start, end = ind.period_of_year(year)
        if start is None or end is None:
            raise CommandError(_("give the period: --from and --to, or --year"))
        if end < start:
            raise CommandError(_("the period ends before it starts"))
        try:
            choices = ind.Options.parse(options["option"])
        except ValueError as exc:
            message = exc.args[0]
            raise CommandError(str(message) if isinstance(message, Message) else message) from None
        units = None
        if unit:
            found = Unit.objects.filter(code=unit).first()
            if found is None:
                raise CommandError(_("unit “%(code)s” does not exist") % {"code": unit})
            units = [found]
        results = compute(units, start, end, choices)
        names = dict(Unit.objects.filter(pk__in=results).values_list("pk", "code"))
        titles = dict(Unit.objects.filter(pk__in=results).values_list("pk", "name"))
        if options["json"]:
            emit_json(
                self,
                {
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "options": choices.to_dict(),
                    "units": [
                        {
                            "unit": names[unit_id],
                            "name": titles[unit_id],
                            "has_data": result.has_data,
                            "table_06a": result.table_06a or None,
                            "indicators": {
                                name: {
                                    "title": render(Message(ind.INDICATORS[name].title)),
                                    "value": _plain(figure.value),
                                    "numerator": _plain(figure.numerator),
                                    "denominator": _plain(figure.denominator),
                                }
                                for name, figure in result.figures.items()
                            },
                        }
                        for unit_id, result in results.items()
                    ],
                },
            )
            return
        if not results:
            self.stdout.write(_("No register holds data for these units."))
            return
        for unit_id, result in results.items():
            self.stdout.write(
                _("%(code)s — %(name)s, %(start)s – %(end)s")
                % {
                    "code": names[unit_id],
                    "name": titles[unit_id],
                    "start": start.strftime("%d/%m/%Y"),
                    "end": end.strftime("%d/%m/%Y"),
                }
            )
            if result.table_06a:
                headers = [
                    f"{render(Message(group))}: {render(Message(label))}"
                    for _k, group, label in ind.TABLE_06A
                ]
                cells = [format_number(result.table_06a[key], 0) for key, *_ in ind.TABLE_06A]
                rows = [[header, cell] for header, cell in zip(headers, cells, strict=True)]
                self.stdout.write(_("One-stop table (Biểu II.06a)"))
                self.stdout.write(table([_("Column"), _("Dossiers")], rows, right={1}))
            else:
                self.stdout.write(_("No dossier register for this unit."))
            rows = []
            for name, figure in result.figures.items():
                info = ind.INDICATORS[name]
                if info.kind == ind.COUNT and info.register == ind.DOSSIERS:
                    continue  # in the table above, or the parts of a rate below
                if not result.has_data.get(info.register):
                    continue  # said once below
                rows.append(
                    [render(Message(info.title)), _number(figure, info), _parts(figure, info)]
                )
            self.stdout.write(
                table(
                    [_("Indicator"), _("Value"), _("Numerator / denominator")], rows, right={1, 2}
                )
            )
            missing = [REGISTER_LABELS[name] for name, kept in result.has_data.items() if not kept]
            if missing:
                self.stdout.write(
                    _("No data (the unit keeps no such register): %(registers)s")
                    % {"registers": ", ".join(str(label) for label in missing)}
                )
            self.stdout.write("")
