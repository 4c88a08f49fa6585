from django.core.management import call_command
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import CREATE, SELF, ParindexCommand, database_location
from parindex.frameworks.services import OUTCOME_LABELS
from parindex.library.accounts import load_demo_accounts
from parindex.library.demo import load_demo
from parindex.library.demo_registers import load_demo_registers


class Command(ParindexCommand):
    help = gettext_lazy(
        "Load the demo province: built-in frameworks, 21 departments, two years of scores."
    )
    summary = gettext_lazy("Load the demo province (idempotent)")

    def database_use_for(self, options):
        # Asked for explicitly, the demo creates or upgrades its database itself.
        return CREATE if options.get("no_migrate") else SELF

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-migrate",
            action="store_true",
            help=_("Do not create or upgrade the database first."),
        )

    def handle(self, *args, no_migrate=False, **options):
        if not no_migrate:
            call_command("migrate", verbosity=0, interactive=False)
        report = load_demo()
        accounts = load_demo_accounts()
        dossiers = load_demo_registers()
        for code, outcome in report.frameworks:
            self.stdout.write(
                _("framework %(code)s: %(outcome)s")
                % {"code": code, "outcome": OUTCOME_LABELS[outcome]}
            )
        self.stdout.write(
            _("demo: %(units)s new units, %(rows)s score rows (%(changed)s written)")
            % {"units": report.units_created, "rows": report.rows, "changed": report.changed}
        )
        if dossiers:
            self.stdout.write(
                _("demo: %(count)s dossiers in the demo units' registers") % {"count": dossiers}
            )
        if accounts:
            self.stdout.write(_("demo: %(count)s demo accounts created") % {"count": accounts})
        self.stdout.write(
            _("demo: the database is %(where)s") % {"where": database_location()["location"]}
        )
