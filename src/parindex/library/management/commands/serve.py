"""`parindex serve`: the web interface on this machine.

On Linux (and any POSIX system) gunicorn runs one worker process per usable core, each with a
few threads (the `gthread` worker), so a department's load uses every core; Python's GIL
would keep a single process on one. On Windows, or without gunicorn, waitress serves in one
process with threads. Both refuse a request body larger than MAX_REQUEST_BODY_BYTES before
reading it (waitress itself; with gunicorn, parindex.web.limits, first in MIDDLEWARE).
"""

import os

from django.conf import settings
from django.core.management import call_command
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import TranslatedCommand
from parindex.library.accounts import DEMO_ACCOUNTS


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on (Linux)
    except AttributeError:
        return os.cpu_count() or 1


def gunicorn_available() -> bool:
    if os.name == "nt":
        return False
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:
        return False
    return True


def run_gunicorn(application, options: dict) -> None:
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                if key in self.cfg.settings:
                    self.cfg.set(key, value)

        def load(self):
            return application

    Server().run()


class Command(TranslatedCommand):
    help = gettext_lazy(
        "Start the web interface on this machine (gunicorn with one process per core; "
        "waitress on Windows)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help=_("Address to listen on (0.0.0.0 for the whole network)."),
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=_("Worker processes (gunicorn; default: one per usable core)."),
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help=_("Threads per worker process (default: 4 with gunicorn, 8 with waitress)."),
        )
        parser.add_argument(
            "--server",
            choices=["auto", "gunicorn", "waitress"],
            default="auto",
            help=_("auto: gunicorn where it runs, else waitress."),
        )

    def handle(self, *args, port, host, workers, threads, server, **options):
        from django.contrib.auth import get_user_model
        from django.db import connections

        from parindex.wsgi import application

        if server == "auto":
            server = "gunicorn" if gunicorn_available() else "waitress"
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
        if server == "gunicorn":
            workers = workers or usable_cores()
            threads = threads or 4
            self.stdout.write(
                _("gunicorn: %(workers)s worker processes × %(threads)s threads")
                % {"workers": workers, "threads": threads}
            )
        else:
            threads = threads or 8
            self.stdout.write(_("waitress: %(threads)s threads") % {"threads": threads})
        if users:
            self.stdout.write(_("Demo accounts (user name / password):"))
            for account in DEMO_ACCOUNTS:
                if account.username in users:
                    self.stdout.write(
                        f"  {account.username:<12} / {account.password:<17} {account.description}"
                    )
        self.stdout.write(_("Stop with Ctrl+C."))
        self.stdout.flush()
        # No connection may cross the fork into the workers: each opens its own.
        connections.close_all()
        if server == "gunicorn":
            run_gunicorn(
                application,
                {
                    "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                    "workers": workers,
                    "worker_class": "gthread",
                    "threads": threads,
                    "proc_name": "parindex",
                    "accesslog": None,
                    "errorlog": "-",
                    "loglevel": "warning",
                    "timeout": 120,  # a 20 MB upload on a slow line; threads keep beating
                    "graceful_timeout": 10,
                    "keepalive": 5,
                    "control_socket_disable": True,  # several instances on one machine
                },
            )
        else:
            from waitress import serve

            serve(
                application,
                host=host,
                port=port,
                threads=threads,
                max_request_body_size=settings.MAX_REQUEST_BODY_BYTES,
                _quiet=True,
            )
