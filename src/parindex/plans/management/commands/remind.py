"""`parindex remind`: the reminders of remediation items, once (for cron); `parindex serve`
sends them daily by itself."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import NEED, ParindexCommand, date_value, emit_json
from parindex.plans.services import send_reminders


class Command(ParindexCommand):
    help = gettext_lazy(
        "Send the reminders of remediation items whose deadline is in 7 days, tomorrow, today "
        "or passed: in the app and, when an e-mail server is configured, by e-mail. Each "
        "reminder goes out once: running it again the same day sends nothing twice. "
        "“parindex serve” sends them daily by itself; this is for cron."
    )
    summary = gettext_lazy("Send the due reminders of remediation items (for cron)")
    database_use = NEED

    def add_arguments(self, parser):
        parser.add_argument(
            "--date",
            type=date_value,
            metavar=_("DATE"),
            help=_("the day to remind for (dd/mm/yyyy); default: today"),
        )
        self.add_json(parser)

    def handle(self, *args, date=None, json=False, **options):
        report = send_reminders(date)
        if json:
            emit_json(
                self,
                {
                    "date": report.today.isoformat(),
                    "items": report.items,
                    "sent": report.sent,
                    "emailed": report.emailed,
                    "failed": report.failed,
                },
            )
            return
        self.stdout.write(
            _("%(date)s: %(sent)s reminders about %(items)s items, %(emailed)s by e-mail")
            % {
                "date": report.today.strftime("%d/%m/%Y"),
                "sent": report.sent,
                "items": report.items,
                "emailed": report.emailed,
            }
        )
        if report.failed:
            self.stderr.write(
                _("%(failed)s e-mails could not be sent (the reminders are in the app)")
                % {"failed": report.failed}
            )
