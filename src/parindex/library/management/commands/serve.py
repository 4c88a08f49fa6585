from django.conf import settings
from django.core.management import call_command
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import TranslatedCommand
from parindex.library.accounts import DEMO_ACCOUNTS


class Command(TranslatedCommand):
    help = gettext_lazy("Start the web interface (waitress) on this machine.")

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help=_("Address to listen on (0.0.0.0 for the whole network)."),
        )
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, port, host, threads, **options):
        from django.contrib.auth import get_user_model
        from waitress import serve

        from parindex.wsgi import application

        call_command("migrate", verbosity=0, interactive=False)
        if settings.ALLOWED_HOSTS and host not in ("127.0.0.1", "localhost"):
            settings.ALLOWED_HOSTS.append(host)
        users = set(
            get_user_model()
            .objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
            .values_list("username", flat=True)
        )
        self.stdout.write(
            _("parindex is running at http://%(host)s:%(port)s/") % {"host": host, "port": port}
        )
        if users:
            self.stdout.write(_("Demo accounts (user name / password):"))
            for account in DEMO_ACCOUNTS:
                if account.username in users:
                    self.stdout.write(
                        f"  {account.username:<12} / {account.password:<17} {account.description}"
                    )
        self.stdout.write(_("Stop with Ctrl+C."))
        self.stdout.flush()
        serve(application, host=host, port=port, threads=threads, _quiet=True)
