"""`parindex serve`: the web interface on this machine.

On Linux (and any POSIX system) gunicorn runs one worker process per usable core, each with a
few threads (the `gthread` worker), so a department's load uses every core; Python's GIL
would keep a single process on one. On Windows, or without gunicorn, waitress serves in one
process with threads. Both refuse a request body larger than MAX_REQUEST_BODY_BYTES before
reading it (waitress itself; with gunicorn, parindex.web.limits, first in MIDDLEWARE).
"""

import errno
import os
import socket

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.commands import (
    SELF,
    ParindexCommand,
    database_location,
    ensure_schema,
    port_number,
    positive_number,
)
from parindex.library.accounts import DEMO_ACCOUNTS


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on (Linux)
    except AttributeError:
        return os.cpu_count() or 1


def worker_command() -> list[str]:
    """The background worker beside the web server: django-tasks' database worker, run as a
    parindex command in its own process (imports of large register files run there)."""
    import sys

    return [sys.executable, "-m", "parindex", "db_worker", "--no-startup-delay", "--interval", "1"]


def _die_with_parent() -> None:
    """In the worker, before it runs (Linux): the kernel stops it when the server dies, even
    by SIGKILL, so that no worker outlives its server."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_worker():
    import signal
    import subprocess
    import sys

    # SIGTERM (a service manager's stop) ends the server through its `finally`, which stops
    # the worker; gunicorn installs its own handlers and exits the same way.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
    linux = sys.platform.startswith("linux")
    return subprocess.Popen(
        worker_command(),
        stdin=subprocess.DEVNULL,
        preexec_fn=_die_with_parent if linux else None,  # before any thread starts
    )


def stop_worker(worker) -> None:
    import subprocess

    worker.terminate()
    try:
        worker.wait(timeout=10)
    except subprocess.TimeoutExpired:  # still busy after 10 s: it goes with the server
        worker.kill()


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


def demo_account_lines(users) -> list[str]:
    """The banner's lines for the demo accounts among `users` (user names), each described in
    the active language."""
    return [
        f"  {account.username:<12} / {account.password:<17} {_(account.description)}"
        for account in DEMO_ACCOUNTS
        if account.username in users
    ]


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, found before starting it (a busy port
    would otherwise end in the server's traceback), or None."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        return _("cannot listen on “%(host)s”: %(reason)s") % {
            "host": host,
            "reason": getattr(exc, "strerror", None) or str(exc),
        }
    with socket.socket(family, kind, proto) as probe:
        if os.name != "nt":  # as gunicorn and waitress do: a closed connection is no obstacle
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return _("port %(port)s is busy: use --port (e.g. --port %(other)s)") % {
                    "port": port,
                    "other": port + 1 if port < 65535 else 8000,
                }
            if exc.errno in (errno.EACCES, errno.EPERM):
                return _(
                    "port %(port)s needs administrator rights: use --port with a number above 1023"
                ) % {"port": port}
            return _("cannot listen on %(host)s:%(port)s: %(reason)s") % {
                "host": host,
                "port": port,
                "reason": exc.strerror or str(exc),
            }
    return None


class Command(ParindexCommand):
    help = gettext_lazy(
        "Start the web interface on this machine (gunicorn with one process per core; "
        "waitress on Windows)."
    )
    summary = gettext_lazy("Start the web interface on this machine")
    database_use = SELF  # the port is checked first, then the database prepared
    requires_system_checks = "__all__"  # the code is put to work: Django's checks first

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=port_number,
            default=8000,
            metavar=_("PORT"),
            help=_("Port to listen on (default: 8000)."),
        )
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            metavar=_("ADDRESS"),
            help=_("Address to listen on (0.0.0.0 for the whole network)."),
        )
        parser.add_argument(
            "--workers",
            type=positive_number,
            default=None,
            metavar=_("NUMBER"),
            help=_("Worker processes (gunicorn; default: one per usable core)."),
        )
        parser.add_argument(
            "--threads",
            type=positive_number,
            default=None,
            metavar=_("NUMBER"),
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
        problem = port_problem(host, port)
        if problem:
            raise CommandError(problem)
        ensure_schema()  # the embedded database: created or upgraded; a server's: checked
        from parindex.plans.jobs import start_daily

        start_daily()  # the remediation reminders: now, then daily in the worker
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
        self.stdout.write(_("Database: %(where)s") % {"where": database_location()["location"]})
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
            for line in demo_account_lines(users):
                self.stdout.write(line)
        self.stdout.write(
            _(
                "Background worker: imports of register files run beside the server, and the "
                "reminders of remediation items go out daily at %(hour)s:00."
            )
            % {"hour": settings.REMIND_HOUR}
        )
        self.stdout.write(_("Stop with Ctrl+C."))
        self.stdout.flush()
        # No connection may cross the fork into the workers: each opens its own.
        connections.close_all()
        worker, parent = start_worker(), os.getpid()
        try:
            self.serve(server, application, host, port, workers, threads)
        finally:
            # gunicorn's forked workers leave through here too: only the parent stops it.
            if os.getpid() == parent:
                stop_worker(worker)

    def serve(self, server, application, host, port, workers, threads):
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
