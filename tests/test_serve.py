"""`parindex serve` for real: a subprocess on a free port of this machine, its own database in a
temporary directory; gunicorn (one process per core) and waitress (the Windows fallback)."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import PARINDEX

pytestmark = pytest.mark.cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=b"", headers=None, timeout=10):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.fixture
def serve(tmp_path):
    """Starts `parindex serve` and stops it at the end of the test."""
    started = []

    def start(*args):
        port = free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(
            DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            PARINDEX_DATA_DIR=str(tmp_path / "data"),
            PARINDEX_LANGUAGE="en",
        )
        process = subprocess.Popen(
            [str(PARINDEX), "serve", "--port", str(port), *args],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("parindex serve stopped: " + process.stderr.read())
            try:
                if request(port, "GET", "/healthz", timeout=2) == (200, "ok"):
                    return port, process
            except OSError:
                time.sleep(0.2)
        pytest.fail("parindex serve did not answer /healthz within 60 s")

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def stop(process) -> tuple[str, str]:
    process.terminate()
    out, err = process.communicate(timeout=20)
    return out, err


def test_gunicorn_serves_with_one_worker_per_core(serve):
    port, process = serve()
    assert request(port, "GET", "/healthz") == (200, "ok")
    status, page = request(port, "GET", "/accounts/login/")
    assert status == 200 and "<form" in page
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # Every worker answers: ask often enough that all of them take some requests.
    for _ in range(20):
        assert request(port, "GET", "/healthz")[0] == 200
    out, err = stop(process)
    assert f"gunicorn: {cores} worker processes × 4 threads" in out, out
    assert "Traceback" not in err, err


@pytest.mark.parametrize("server", ["gunicorn", "waitress"])
def test_an_oversized_body_is_refused_before_it_is_read(serve, server):
    port, _process = serve("--server", server)
    # A declared length over the limit with a small actual body: refused on the headers alone.
    status, text = request(
        port,
        "POST",
        "/assessments/1/criteria/1.1/upload/",
        body=b"x" * 100,
        headers={"Content-Length": str(40 * 1024 * 1024), "Content-Type": "text/plain"},
    )
    assert status == 413, text
    if server == "gunicorn":
        assert "files are limited to 20 MB" in text
    assert request(port, "GET", "/healthz") == (200, "ok")  # and the server goes on


def test_the_server_refuses_nothing_smaller_than_the_limit(serve):
    port, _process = serve()
    status, _text = request(
        port,
        "POST",
        "/accounts/login/",
        body=b"username=x&password=y",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 403  # no CSRF token: refused by Django, not by the size limit


@pytest.mark.skipif(sys.platform == "win32", reason="gunicorn does not run on Windows")
def test_the_usable_cores_are_counted():
    from parindex.library.management.commands.serve import gunicorn_available, usable_cores

    assert usable_cores() >= 1
    assert gunicorn_available()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("vi", "cổng {} đang bận: dùng --port"), ("en", "port {} is busy: use --port")],
)
def test_a_busy_port_is_one_line_not_a_traceback(tmp_path, language, expected):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(
            DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            PARINDEX_DATA_DIR=str(tmp_path / "data"),
            PARINDEX_LANGUAGE=language,
        )
        result = subprocess.run(
            [str(PARINDEX), "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected.format(port) in lines[0], result.stderr
    assert not (tmp_path / "serve.sqlite3").exists()  # refused before anything else


def test_the_banner_names_the_demo_roles_in_the_users_language():
    from django.utils import translation

    from parindex.library.management.commands.serve import demo_account_lines

    with translation.override("vi"):
        text = "\n".join(demo_account_lines({"chuyenvien", "lanhdao", "canbo.bvdk", "thamdinh"}))
    assert "chuyenvien   / chuyenvien-demo" in text
    assert "công chức phụ trách CCHC, Văn phòng Sở" in text and "thẩm định viên Sở Nội vụ" in text
    assert "cán bộ Bệnh viện Đa khoa tỉnh" in text and "Phó Giám đốc Sở" in text
    for english in ("officer", "unit staff", "appraiser", "leader", " / CCHC"):
        assert english not in text, english
    with translation.override("en"):
        text = "\n".join(demo_account_lines({"chuyenvien", "thamdinh"}))
    assert "CCHC officer" in text and "appraiser" in text and "công chức" not in text


def _children(pid: int) -> dict[int, str]:
    """The children of a process and their command lines (Linux /proc)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            if parent == pid:
                found[int(entry.name)] = (
                    (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                )
        except (OSError, ValueError, IndexError):
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_serve_runs_the_background_worker_and_stops_it(serve):
    _port, process = serve("--server", "waitress")
    deadline = time.monotonic() + 20
    workers = {}
    while time.monotonic() < deadline and not workers:
        workers = {p: c for p, c in _children(process.pid).items() if "db_worker" in c}
        time.sleep(0.2)
    assert workers, _children(process.pid)
    out, _err = stop(process)
    assert "Background worker" in out
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.2)
    assert not any(_alive(p) for p in workers), "the worker outlived the server"


def test_serve_sends_the_reminders_now_and_queues_the_next_day(serve, tmp_path):
    """The worker runs the day's reminders when the server starts, and the run queues the
    next one at the reminder hour (07:00, Asia/Ho_Chi_Minh: 00:00 UTC): one queued, however
    often the server starts."""
    import sqlite3

    def runs():
        with sqlite3.connect(tmp_path / "serve.sqlite3") as db:
            return db.execute(
                "SELECT status, run_after FROM django_tasks_database_dbtaskresult"
                " WHERE task_path = 'parindex.plans.jobs.daily_reminders'"
            ).fetchall()

    _port, process = serve("--server", "waitress")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and ("SUCCESSFUL" not in {s for s, _ in runs()}):
        time.sleep(0.3)
    queued = [after for status, after in runs() if status == "READY"]
    assert "SUCCESSFUL" in {s for s, _ in runs()}, runs()
    assert len(queued) == 1 and queued[0].endswith(" 00:00:00"), queued
    stop(process)
