from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import (
    CREATE,
    NO_DATABASE,
    SHOW,
    ParindexCommand,
    emit_json,
    refuse_table,
    table,
)
from parindex.tables import TableError
from parindex.units.models import Unit
from parindex.units.services import import_units


class Command(ParindexCommand):
    help = gettext_lazy(
        "Units and peer groups: import (CSV/XLSX: code, name, parent, group), list."
    )
    summary = gettext_lazy("Units and peer groups: import from CSV or XLSX, list")
    database_use = {None: NO_DATABASE, "import": CREATE, "list": SHOW}

    def add_arguments(self, parser):
        actions = self.add_actions(parser)
        imp = self.add_action(actions, "import", _("Create or update units from CSV or XLSX."))
        self.add_file(
            imp,
            _("the units file (.csv or .xlsx) with the columns code, name, parent, group"),
        )
        listing = self.add_action(actions, "list", _("List the units."))
        self.add_json(listing)

    def handle(self, *args, **options):
        self.handle_action(options, "units")

    def handle_import(self, file, **options):
        try:
            report = import_units(file)
        except TableError as exc:
            refuse_table(self, exc)
        self.stdout.write(
            _(
                "units: %(created)s created, %(updated)s updated, %(unchanged)s "
                "unchanged; %(groups)s new peer group(s)"
            )
            % {
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "groups": report.groups_created,
            }
        )

    def handle_list(self, json=False, **options):
        units = list(Unit.objects.select_related("parent", "group"))
        data = [
            {
                "code": u.code,
                "name": u.name,
                "parent": u.parent.code if u.parent else None,
                "group": u.group.code if u.group else None,
            }
            for u in units
        ]
        if json:
            emit_json(self, data)
            return
        rows = [[d["code"], d["name"], d["parent"] or "—", d["group"] or "—"] for d in data]
        self.stdout.write(table([_("Code"), _("Name"), _("Parent"), _("Group")], rows))
