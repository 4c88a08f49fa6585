"""Benchmark: importing a dossier register and computing its indicators, against the floor.

    .venv/bin/python bench/bench_registers.py                 # 1,000,000 dossiers, 40 units
    .venv/bin/python bench/bench_registers.py --rows 20000 --units 5 --no-postgres   # a smoke run

Generates a realistic register with the project's own generator (`registers.generate`: a year
with Tết, every channel and status) as a CSV file, then measures in one run:

(a) the floor: Polars parses the file and ADBC loads it as-is into a bare SQLite table (no
    validation, no indexes, no key); three times, each just before one SQLite import of (b);
(b) `parindex registers import dossiers FILE` end to end (the real console script: reading,
    typing and checking every cell, units, keys, the bulk load with its indexes and the
    upsert), into SQLite (three times, each into a fresh copy of one migrated database, the
    median) and into PostgreSQL (once; a throwaway cluster started here with initdb/pg_ctl,
    as scripts/test does, its parallel workers per query set to the cores less one). Every
    measurement starts after `sync`, so that the files written before it are not flushed
    during it;
(c) the indicators of every unit for the year (`registers.indicators.compute`), in a fresh
    process: the first call (cold), the same call again, and on SQLite the same call counted
    on one connection instead of side by side (`registers.indicators.PARALLEL_FROM`).

Prints each figure, the ratios to the floor (each import over the floor measured just before
it, and their median) and to the targets (import ≤ 3 × the floor and
≤ 20 s on SQLite; indicators ≤ 1 s; peak memory ≤ 2 GB), and the size of the databases per
million dossiers. Nothing is asserted: the figures are for reading and comparing.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARINDEX = Path(sys.executable).with_name("parindex")
YEAR = 2025  # Tết falls on 29/01/2025
RUNS = 3  # the floor and the SQLite import are each measured this many times (the median)

INDICATORS_CODE = """
import os, sys, time, json
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.settings")
import django
django.setup()
from parindex.domain.indicators import period_of_year
from parindex.registers import indicators
from parindex.registers.indicators import compute
start, end = period_of_year(int(sys.argv[1]))
t0 = time.perf_counter(); first = compute(None, start, end); cold = time.perf_counter() - t0
t0 = time.perf_counter(); compute(None, start, end); again = time.perf_counter() - t0
indicators.PARALLEL_FROM = float("inf")
t0 = time.perf_counter(); alone = compute(None, start, end); serial = time.perf_counter() - t0
assert {k: u.counts for k, u in alone.items()} == {k: u.counts for k, u in first.items()}
total = sum(u.table_06a.get("col3", 0) for u in first.values())
print(json.dumps({"cold": cold, "again": again, "serial": serial, "units": len(first),
                  "counted": total}))
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="dossiers (default 1 M)")
    parser.add_argument("--units", type=int, default=40, help="units (default 40)")
    parser.add_argument("--no-postgres", action="store_true", help="skip the PostgreSQL part")
    return parser.parse_args(argv)


def peak_children_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(args, env, label):
    started = time.perf_counter()
    result = subprocess.run(
        [str(a) for a in args], env=env, capture_output=True, text=True, timeout=3600
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{label} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return elapsed, result.stdout


def environment(url: str, data: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=url, PARINDEX_DATA_DIR=str(data), PARINDEX_LANGUAGE="en")
    return env


def floor(csv: Path, work: Path) -> float:
    import adbc_driver_sqlite.dbapi
    import polars as pl

    target = work / "floor.sqlite3"
    os.sync()  # the files written before are not flushed during the measurement
    started = time.perf_counter()
    frame = pl.read_csv(csv, infer_schema=False)
    with adbc_driver_sqlite.dbapi.connect(str(target)) as connection:
        with connection.cursor() as cursor:
            cursor.adbc_ingest("dossiers", frame.to_arrow(), mode="create")
        connection.commit()
    elapsed = time.perf_counter() - started
    target.unlink()
    return elapsed


def prepare(url: str, units: Path, work: Path, label: str) -> dict:
    """A migrated database with the units, and the environment that names it."""
    env = environment(url, work / f"data-{label}")
    run([PARINDEX, "migrate"], env, f"migrate ({label})")
    run([PARINDEX, "units", "import", units], env, f"units ({label})")
    return env


def import_into(env: dict, csv: Path, label: str) -> tuple[float, str]:
    os.sync()
    elapsed, out = run([PARINDEX, "registers", "import", "dossiers", csv], env, f"import ({label})")
    return elapsed, out.strip().splitlines()[-1] if out.strip() else ""


def indicators(url: str, work: Path, label: str) -> dict:
    import json

    env = environment(url, work / f"data-{label}")
    _elapsed, out = run(
        [sys.executable, "-c", INDICATORS_CODE, str(YEAR)], env, f"indicators ({label})"
    )
    return json.loads(out.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A throwaway PostgreSQL cluster (as scripts/test starts one)."""

    def __init__(self, work: Path):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        self.bin = bins[-1] if bins else None
        self.dir = work / "pg"
        self.port = free_port()

    def _as_pg(self, *args):
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            runuser = shutil.which("runuser") or "/usr/sbin/runuser"
            command = [runuser, "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def __enter__(self):
        if self.bin is None or not (self.bin / "initdb").exists():
            raise RuntimeError("no PostgreSQL binaries (apt-get install postgresql)")
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            os.chmod(self.dir.parent, 0o711)
        self._as_pg(
            self.bin / "initdb",
            "-D",
            self.dir / "data",
            "-U",
            "parindex",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self._as_pg(
            self.bin / "pg_ctl",
            "-D",
            self.dir / "data",
            "-l",
            self.dir / "log",
            "-w",
            "start",
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            # A server configured for its cores (docs/scale.md): the leader and this many
            # workers, one process per core; the default, 2, puts three on these two.
            f"-c max_parallel_workers_per_gather={max(1, len(os.sched_getaffinity(0)) - 1)}",
        )
        return f"postgres://parindex@127.0.0.1:{self.port}/postgres"

    def size_mb(self, url: str) -> float:
        """The dossier table's partitions with their indexes."""
        import psycopg

        with psycopg.connect(url) as connection:
            (size,) = connection.execute(
                "SELECT coalesce(sum(pg_total_relation_size(inhrelid)), 0) FROM pg_inherits "
                "WHERE inhparent = 'registers_dossier'::regclass"
            ).fetchone()
        return float(size) / 2**20

    def __exit__(self, *exc):
        self._as_pg(self.bin / "pg_ctl", "-D", self.dir / "data", "-m", "fast", "-w", "stop")


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv=None) -> None:
    args = parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from parindex.registers.generate import dossiers, write

    work = Path(tempfile.mkdtemp(prefix="bench-registers-"))
    try:
        codes = [f"U{i:03d}" for i in range(args.units)]
        units = work / "units.csv"
        units.write_text(
            "code,name\n" + "".join(f"{c},Đơn vị {c}\n" for c in codes), encoding="utf-8"
        )
        started = time.perf_counter()
        csv = write(dossiers(args.rows, codes, YEAR), work / "dossiers.csv")
        print(
            f"{args.rows:,} dossiers of {args.units} units, {YEAR} (Tết 29/01): "
            f"{csv.stat().st_size / 2**20:.0f} MB of CSV generated in "
            f"{time.perf_counter() - started:.1f} s"
        )
        per_million = 1_000_000 / args.rows

        before = peak_children_mb()
        database = work / "parindex.sqlite3"
        sqlite_url = f"sqlite:///{database}"
        env = prepare(f"sqlite:///{work / 'template.sqlite3'}", units, work, "sqlite")
        env["DATABASE_URL"] = sqlite_url
        # The floor and the import in turns (floor, import, floor, import …): a machine
        # that slows down or speeds up during the run moves both alike, and each import is
        # compared with the floor measured just before it.
        floors, runs = [], []
        for _ in range(RUNS):  # each import on a fresh copy of the migrated database
            floors.append(floor(csv, work))
            for leftover in work.glob("parindex.sqlite3*"):
                leftover.unlink()
            shutil.copy(work / "template.sqlite3", database)
            runs.append(import_into(env, csv, "sqlite"))
        base = statistics.median(floors)
        print(
            f"(a) floor, Polars parse + bare ADBC ingest into SQLite: {base:.2f} s "
            f"(median of {RUNS}: {', '.join(f'{f:.2f}' for f in sorted(floors))})"
        )
        elapsed = statistics.median(seconds for seconds, _summary in runs)
        ratios = [seconds / f for (seconds, _summary), f in zip(runs, floors, strict=True)]
        ratio = statistics.median(ratios)
        summary = runs[-1][1]
        peak = max(peak_children_mb(), before)
        size = database.stat().st_size / 2**20
        print(
            f"(b) import end to end, SQLite: {elapsed:.2f} s (median of {RUNS}: "
            f"{', '.join(f'{r:.2f}' for r, _s in sorted(runs))}); each over the floor just "
            f"before it: {', '.join(f'{r:.2f}' for r in ratios)} ×, median {ratio:.2f} × "
            f"[{verdict(ratio <= 3)} ≤ 3 ×, {verdict(elapsed <= 20)} ≤ 20 s]"
        )
        print(f"    {summary}")
        print(
            f"    peak memory of the import: {peak:.0f} MB [{verdict(peak <= 2048)} ≤ 2 GB]; "
            f"database {size * per_million:.0f} MB per million dossiers"
        )
        figures = indicators(sqlite_url, work, "sqlite")
        print(
            f"(c) indicators of all {figures['units']} units for {YEAR}, SQLite: cold "
            f"{figures['cold']:.3f} s [{verdict(figures['cold'] <= 1)} ≤ 1 s], again "
            f"{figures['again']:.3f} s, on one connection {figures['serial']:.3f} s; "
            f"{figures['counted']:,} dossiers counted"
        )

        if args.no_postgres:
            print("PostgreSQL: skipped (--no-postgres)")
            return
        try:
            cluster = Postgres(work)
            with cluster as pg_url:
                env = prepare(pg_url, units, work, "postgres")
                elapsed, summary = import_into(env, csv, "postgres")
                print(
                    f"(b) import end to end, PostgreSQL: {elapsed:.2f} s = "
                    f"{elapsed / base:.2f} × the floor"
                )
                print(f"    {summary}")
                print(
                    f"    dossier table {cluster.size_mb(pg_url) * per_million:.0f} MB per "
                    "million dossiers, indexes included"
                )
                figures = indicators(pg_url, work, "postgres")
                print(
                    f"(c) indicators, PostgreSQL: cold {figures['cold']:.3f} s "
                    f"[{verdict(figures['cold'] <= 1)} ≤ 1 s], again {figures['again']:.3f} s"
                )
        except (RuntimeError, subprocess.CalledProcessError) as exc:
            print(f"PostgreSQL: skipped ({exc})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
