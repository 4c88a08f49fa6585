"""Benchmark: `parindex serve` under a department's load, over real HTTP on this machine.

    .venv/bin/python bench/bench_load.py                          # 50 users, 1 s think, 60 s
    .venv/bin/python bench/bench_load.py --users 3 --think 0.2 --duration 3    # a smoke run
    .venv/bin/python bench/bench_load.py --writers 20 --duration 30  # 20 users only saving

Starts `parindex serve` on a free port of 127.0.0.1 against a fresh SQLite database in a
temporary directory loaded with `parindex demo`. The simulated people are unit staff of the
demo round's four units; their sessions are written straight into the database (no login
form: password hashing and login throttling would pollute the figures). Each user loops:
GET its unit's scoring grid, GET its unit's dashboard, POST one criterion's self score (as
HTMX does, with the CSRF token of the grid page and the version it showed), with a think time
of --think seconds (±50 %) after each request. A user whose save is refused because someone
else changed the criterion meanwhile re-reads the version and saves again (counted as a
conflict, not an error: the refusal is recognised by the row coming back with an alert and
another version than the one sent). In writers mode (--writers N) N users only save, without
think time, on several criteria of the four assessments, some of them shared.

Reports requests per second, the p50/p95/p99 latency of each kind of request, the errors
(statuses other than 2xx/3xx, exceptions, refusals) and the "database is locked" messages in
the server's log, and, as machines differ, the ratios to a baseline measured in the same run
under the same load: a probe requesting /healthz (a trivial view through the whole middleware
stack) four times a second. The client runs on the same cores as the server; its own CPU time
is printed. Nothing is asserted: the figures are for reading and comparing.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

LOCKED = re.compile(r"database is locked", re.IGNORECASE)
# The demo round's units still self-assessing (library/accounts.py; the CDC has submitted).
UNITS = ("BVDK", "TTYT-A", "TTYT-B")
BASELINE = "healthz (baseline)"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="simulated people (default 50)")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between requests")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument(
        "--writers",
        type=int,
        default=0,
        help="writers mode: this many users only saving, no think time (--users is ignored)",
    )
    parser.add_argument("--workers", type=int, default=None, help="server worker processes")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker")
    parser.add_argument("--server", choices=["auto", "gunicorn", "waitress"], default="auto")
    parser.add_argument("--seed", type=int, default=2025)
    return parser.parse_args(argv)


# --- measurements ---------------------------------------------------------------------------


@dataclass
class Stats:
    started: float = 0.0
    deadline: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)

    def error(self, kind: str, what: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if len(self.examples) < 10:
                self.examples.append(f"{kind}: {what}")

    def conflict(self) -> None:
        with self.lock:
            self.conflicts += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"


# --- an HTTP client with cookies, one keep-alive connection per simulated person -------------


class Browser:
    def __init__(self, port: int, cookies: dict[str, str], stats: Stats):
        self.port = port
        self.cookies = dict(cookies)
        self.stats = stats
        self.connection: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def request(self, kind, method, path, fields=None, headers=None, record=True):
        """(status, text), or (None, "") after an exception; the latency is recorded."""
        body = urlencode(fields).encode() if fields is not None else None
        headers = dict(headers or {})
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        start = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            self.stats.error(kind, f"{type(exc).__name__}: {exc}")
            return None, ""
        elapsed = time.perf_counter() - start
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if (response.getheader("Connection") or "").lower() == "close":
            self.close()
        if record:
            self.stats.record(kind, elapsed)
        if not 200 <= response.status < 400:
            self.stats.error(kind, f"HTTP {response.status} {method} {path}")
        return response.status, data.decode("utf-8", "replace")


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def points_form(html: str, code: str) -> str | None:
    match = re.search(
        r'<form[^>]*action="[^"]*/criteria/' + re.escape(code) + r'/points/"[^>]*>(.*?)</form>',
        html,
        re.S,
    )
    return match.group(1) if match else None


def version_in(html: str, code: str) -> str | None:
    """The `version` hidden field of the criterion's points form ("" when no entry yet)."""
    form = points_form(html, code)
    if form is None:
        return None
    for tag in re.findall(r"<input[^>]*>", form):
        if 'name="version"' in tag:
            value = re.search(r'value="(\d*)"', tag)
            return value.group(1) if value else ""
    return None


# --- the simulated people --------------------------------------------------------------------


@dataclass
class Person:
    cookies: dict[str, str]
    assessment: int
    dashboard: str  # the unit whose dashboard this person reads
    framework: str
    criteria: list[tuple[str, list[str]]]  # (code, two valid values) this person edits


class Worker(threading.Thread):
    def __init__(self, person: Person, port: int, stats: Stats, think: float, seed: int, save_only):
        super().__init__(daemon=True)
        self.person = person
        self.browser = Browser(port, person.cookies, stats)
        self.stats = stats
        self.think = think
        self.random = random.Random(seed)
        self.save_only = save_only
        self.csrf = ""
        self.versions: dict[str, str] = {}
        self.turn = 0

    def pause(self) -> None:
        if self.think > 0:
            time.sleep(self.think * self.random.uniform(0.5, 1.5))

    def grid(self, kind="grid") -> bool:
        status, html = self.browser.request(kind, "GET", f"/assessments/{self.person.assessment}/")
        if status != 200:
            return False
        token = CSRF.search(html)
        if token:
            self.csrf = token.group(1)
        for code, _values in self.person.criteria:
            version = version_in(html, code)
            if version is not None:
                self.versions[code] = version
        return bool(self.csrf)

    def dashboard(self) -> None:
        person = self.person
        path = f"/dashboard/{person.framework}/{person.dashboard}/"
        self.browser.request("dashboard", "GET", path)

    def save(self) -> None:
        code, values = self.person.criteria[self.turn % len(self.person.criteria)]
        self.turn += 1
        value = values[self.turn // len(self.person.criteria) % 2]
        path = f"/assessments/{self.person.assessment}/criteria/{code}/points/"
        for _attempt in range(10):
            if code not in self.versions and not self.grid("grid (re-read)"):
                return
            sent = self.versions[code]
            fields = {"csrfmiddlewaretoken": self.csrf, "version": sent, "points": value}
            status, html = self.browser.request(
                "save", "POST", path, fields, {"HX-Request": "true", "X-CSRFToken": self.csrf}
            )
            if status != 200:
                self.versions.pop(code, None)
                return
            version = version_in(html, code)
            refused = 'role="alert"' in html
            if refused and version is not None and version != sent:
                # Someone else saved it after this person read it (the row comes back with
                # the message and the current version, whatever the language): save again.
                self.stats.conflict()
                self.versions[code] = version
                continue
            if refused:
                alert = re.search(r'role="alert"[^>]*>([^<]*)<', html)
                self.stats.error("save", "refused: " + (alert.group(1) if alert else html[:80]))
            if version is None:
                self.versions.pop(code, None)
            else:
                self.versions[code] = version
            return
        self.stats.error("save", f"still refused after 10 attempts: {code}")

    def run(self) -> None:
        if self.think > 0:  # arrive over the first think time, not all at once
            time.sleep(self.random.uniform(0, self.think))
        try:
            if self.save_only:
                self.grid("grid (re-read)")
                while time.perf_counter() < self.stats.deadline:
                    self.save()
                return
            while time.perf_counter() < self.stats.deadline:
                if not self.grid():
                    self.pause()
                    continue
                self.pause()
                if time.perf_counter() >= self.stats.deadline:
                    break
                self.dashboard()
                self.pause()
                if time.perf_counter() >= self.stats.deadline:
                    break
                self.save()
                self.pause()
        finally:
            self.browser.close()


class Probe(threading.Thread):
    """The baseline: /healthz four times a second, under the same load."""

    def __init__(self, port: int, stats: Stats):
        super().__init__(daemon=True)
        self.browser = Browser(port, {}, stats)
        self.stats = stats

    def run(self) -> None:
        while time.perf_counter() < self.stats.deadline:
            self.browser.request(BASELINE, "GET", "/healthz")
            time.sleep(0.25)
        self.browser.close()


# --- set-up: database, people, server --------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def editable_criteria(framework) -> list[tuple[str, list[str]]]:
    """Criteria whose self score staff enter, each with two valid values to alternate."""
    from parindex.domain.numbers import format_number

    found = []
    for leaf in framework.domain.leaves():
        if leaf.effective_kind == "survey" or leaf.effective_rule.data_driven:
            continue  # computed from figures: typing points there is an explained override
        rule, top = leaf.effective_rule, leaf.effective_max
        candidates = [Decimal(0), top, top / 2]
        valid = [v for v in candidates if rule.check_points(v, top) is None]
        valid = list(dict.fromkeys(valid))
        if len(valid) >= 2:
            found.append((leaf.code, [format_number(v, 4) for v in valid[:2]]))
    return found


def make_people(count: int, prefix: str, shared: bool) -> list[Person]:
    """Staff accounts of the demo round's units, with sessions written to the database. Each
    also leads one of the province's departments, whose published results (recorded outside
    the round, the demo's 2022 figures) fill the dashboard it reads: the round's own units
    have no published results yet."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User

    from parindex.assessments.models import UnitAssessment
    from parindex.library.accounts import DEMO_ROUND
    from parindex.library.demo import SCORED_FRAMEWORKS
    from parindex.units.models import Membership, Unit

    store = import_module(settings.SESSION_ENGINE).SessionStore
    assessments = {
        a.unit.code: a
        for a in UnitAssessment.objects.filter(round__title=DEMO_ROUND).select_related(
            "unit", "round__framework"
        )
    }
    syt = Unit.objects.get(code="SYT")  # the round's owner, above the round's units
    departments = list(Unit.objects.filter(group=syt.group).exclude(pk=syt.pk).order_by("code"))
    people = []
    for index in range(count):
        assessment = assessments[UNITS[index % len(UNITS)]]
        framework = assessment.round.framework
        criteria = editable_criteria(framework)
        rank = index // len(UNITS)
        if shared:  # writers: rotate through all, starting apart; some criteria are shared
            start = rank * 3 % len(criteria)
            mine = criteria[start:] + criteria[:start]
        else:  # people: mostly one criterion each, as colleagues split the work
            mine = [criteria[rank % len(criteria)]]
        user = User.objects.create(username=f"{prefix}{index:03}", password="!")  # unusable
        Membership.objects.create(user=user, unit=assessment.unit, role="staff")
        department = departments[index % len(departments)]
        Membership.objects.create(user=user, unit=department, role="leader")
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        people.append(
            Person(
                cookies={settings.SESSION_COOKIE_NAME: session.session_key},
                assessment=assessment.pk,
                dashboard=department.code,
                framework=SCORED_FRAMEWORKS[-1],  # the demo's latest published year
                criteria=mine,
            )
        )
    return people


def start_server(args, env, port, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "parindex", "serve", "--port", str(port)]
    command += ["--server", args.server]
    if args.workers:
        command += ["--workers", str(args.workers)]
    if args.threads:
        command += ["--threads", str(args.threads)]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"), cwd=log.parent
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("parindex serve stopped:\n" + log.read_text())
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("parindex serve did not answer /healthz within 60 s")


def idle_figures(port, person: Person) -> dict[str, float]:
    """One request at a time, before the load: the floor of each kind."""
    stats = Stats(deadline=float("inf"))
    worker = Worker(person, port, stats, 0, 0, save_only=False)
    # The pages measured are the real ones: a grid with this person's points form, a dashboard
    # with its chart (not "no results yet").
    grid = worker.browser.request("check", "GET", f"/assessments/{person.assessment}/")[1]
    dashboard = worker.browser.request(
        "check", "GET", f"/dashboard/{person.framework}/{person.dashboard}/"
    )[1]
    if version_in(grid, person.criteria[0][0]) is None or 'id="area-chart"' not in dashboard:
        raise SystemExit(
            "the grid has no points form or the dashboard no chart: nothing to measure"
        )
    for _ in range(3):  # warm every worker process's caches a little
        worker.grid()
        worker.dashboard()
    stats.latencies.clear()
    for _ in range(10):
        worker.browser.request(BASELINE, "GET", "/healthz")
        worker.grid()
        worker.dashboard()
        worker.save()
    worker.browser.close()
    return {kind: statistics.median(values) for kind, values in stats.latencies.items()}


def report(args, stats: Stats, seconds: float, idle, locked: int, server_errors: int, cpu):
    kinds = [BASELINE, "grid", "dashboard", "save", "grid (re-read)"]
    base = stats.latencies.get(BASELINE, [])
    base50, base95 = percentile(base, 0.5), percentile(base, 0.95)
    print(
        f"{'request':<20}{'count':>7}{'req/s':>8}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}"
        f"{'p50 × base':>12}{'p95 × base':>12}{'errors':>8}{'idle p50':>10}"
    )
    total = 0
    for kind in kinds:
        values = stats.latencies.get(kind, [])
        if not values and not stats.errors.get(kind):
            continue
        total += len(values)
        p50, p95, p99 = (percentile(values, q) for q in (0.5, 0.95, 0.99))
        print(
            f"{kind:<20}{len(values):>7}{len(values) / seconds:>8.1f}{ms(p50):>9}{ms(p95):>9}"
            f"{ms(p99):>9}{ms(max(values) if values else float('nan')):>9}"
            f"{p50 / base50:>11.1f}×{p95 / base95:>11.1f}×{stats.errors.get(kind, 0):>8}"
            f"{ms(idle[kind]) if kind in idle else '—':>10}"
        )
    errors = sum(stats.errors.values())
    print(
        f"all: {total} requests in {seconds:.1f} s = {total / seconds:.1f} req/s; "
        f"errors: {errors}; conflicts retried: {stats.conflicts}; "
        f'"database is locked" in the server\'s log: {locked}; '
        f"server errors logged: {server_errors}"
    )
    print(f"client CPU: {cpu:.1f} s of the machine's {os.cpu_count()} cores × {seconds:.0f} s")
    for example in stats.examples:
        print(f"  error: {example}")


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = tempfile.TemporaryDirectory(prefix="parindex-load-")
    workdir = Path(tmp.name)
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'load.sqlite3'}"
    os.environ["PARINDEX_DATA_DIR"] = str(workdir / "data")  # the server shares its key file
    os.environ["DJANGO_SETTINGS_MODULE"] = "parindex.settings"
    for name in ("SECRET_KEY", "SECRET_KEY_FILE", "PARINDEX_HTTPS", "DEBUG"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    start = time.perf_counter()
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 (migrates first)
    writers = args.writers > 0
    count = args.writers if writers else args.users
    people = make_people(count, "writer" if writers else "user", shared=writers)
    setup_person = make_people(1, "idle", shared=False)[0]
    connections.close_all()
    setup = time.perf_counter() - start

    port = free_port()
    log = workdir / "server.log"
    server = start_server(args, dict(os.environ), port, log)
    try:
        from parindex.library.management.commands.serve import gunicorn_available, usable_cores

        kind = args.server if args.server != "auto" else "gunicorn"
        if kind == "gunicorn" and not gunicorn_available():
            kind = "waitress"
        if kind == "gunicorn":
            shape = (
                f"gunicorn, {args.workers or usable_cores()} workers × {args.threads or 4} threads"
            )
        else:
            shape = f"waitress, {args.threads or 8} threads"
        print(
            f"parindex serve ({shape}) on 127.0.0.1:{port}; SQLite (WAL) with the demo province; "
            f"set-up {setup:.1f} s"
        )
        if writers:
            print(
                f"load: {count} writers saving without think time for {args.duration:g} s, "
                f"on the {len(UNITS)} assessments of the demo round"
            )
        else:
            print(
                f"load: {count} users, think time {args.think:g} s (±50 %), {args.duration:g} s; "
                f"each loops grid → dashboard → save"
            )
        idle = idle_figures(port, setup_person)
        stats = Stats()
        threads = [
            Worker(person, port, stats, 0 if writers else args.think, args.seed + i, writers)
            for i, person in enumerate(people)
        ]
        threads.append(Probe(port, stats))
        cpu_before = time.process_time()
        stats.started = time.perf_counter()
        stats.deadline = stats.started + args.duration
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.duration + 120)
        seconds = time.perf_counter() - stats.started
        cpu = time.process_time() - cpu_before
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    text = log.read_text(errors="replace")
    locked = len(LOCKED.findall(text))
    server_errors = text.count("Traceback")
    report(args, stats, seconds, idle, locked, server_errors, cpu)
    from parindex.assessments.models import AuditEntry

    saved = AuditEntry.objects.filter(actor__startswith="writer" if writers else "user").count()
    print(f"score changes written (audit trail): {saved}")
    connections.close_all()
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
