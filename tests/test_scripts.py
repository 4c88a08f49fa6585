"""`scripts/test` on a fresh machine: another apt (unattended upgrades) may hold the package
lock; every apt call then waits for it, saying so, instead of failing at once."""

import os
import re
import subprocess
import sys
import time

import pytest
from conftest import ROOT

SCRIPT = ROOT / "scripts" / "test"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell")

HOLD = """
import fcntl, sys, time
with open(sys.argv[1], "w") as lock:
    fcntl.lockf(lock, fcntl.LOCK_EX)  # what apt and dpkg take (a POSIX record lock)
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def run_apt(tmp_path, lock, *args, wait="600"):
    """Source scripts/test's functions and run its apt wrapper with a fake apt-get."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "apt-get"
    fake.write_text(f'#!/bin/sh\necho "$@" >> {tmp_path / "calls"}\n')
    fake.chmod(0o755)
    script = (
        f"source {SCRIPT}\n"
        'as_root() { "$@"; }\n'  # no sudo in a test
        f"APT_LOCK_FILES={lock} APT_WAIT={wait} APT_POLL=0.2 apt_get {' '.join(args)}\n"
    )
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    started = time.monotonic()
    result = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    return result, time.monotonic() - started


def test_apt_waits_for_a_held_lock_with_a_message(tmp_path):
    lock = tmp_path / "lock-frontend"
    lock.touch()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(lock), "2"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result, elapsed = run_apt(tmp_path, lock, "update", "-qq")
    finally:
        holder.wait(timeout=30)
    assert result.returncode == 0, result.stderr
    # On stderr: the install's output goes to /dev/null, the message must not.
    assert "apt đang bận" in result.stderr and "chờ tối đa 10 phút" in result.stderr
    assert f"pid {holder.pid}" in result.stderr, result.stderr
    assert elapsed >= 1, "apt-get ran while the lock was held"
    calls = (tmp_path / "calls").read_text()
    assert "-o DPkg::Lock::Timeout=" in calls and "update -qq" in calls


def test_apt_runs_at_once_when_the_lock_is_free(tmp_path):
    lock = tmp_path / "lock-frontend"
    lock.touch()
    result, _elapsed = run_apt(tmp_path, lock, "install", "-y", "gettext")
    assert result.returncode == 0 and "apt" not in result.stdout + result.stderr, result.stderr
    assert "-o DPkg::Lock::Timeout=600 install -y gettext" in (tmp_path / "calls").read_text()


def test_every_apt_call_of_the_script_goes_through_the_wrapper():
    code = [
        line.split("#")[0]
        for line in SCRIPT.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("#")
    ]
    direct = [line for line in code if re.search(r"\bapt-get\b", line)]
    assert direct and all("DPkg::Lock::Timeout" in line for line in direct), direct
    assert any(re.search(r"\bapt_get update\b", line) for line in code)
    assert any(re.search(r"\bapt_get\b.* install\b", line) for line in code)


def test_ci_runs_exactly_the_test_script():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == "bash scripts/test"
    assert subprocess.run(["bash", "-n", str(SCRIPT)]).returncode == 0
