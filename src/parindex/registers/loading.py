"""Bulk loading of the dossier register: a million rows in seconds, all or nothing.

Never row by row through the ORM. The checked rows (a Polars frame with the table's column
names) go in one of two ways, both inside Django's own connection and transaction, so that the
write is atomic with the import record and the `registers_changed` signal:

- SQLite: ADBC ingests the Arrow table into a staging SQLite file; Django's connection
  attaches that file and runs one INSERT … SELECT … ON CONFLICT (unit_id, year, code) DO UPDATE.
- PostgreSQL: COPY (psycopg's `cursor.copy`, fed with CSV written by Polars) into a
  temporary table of the same transaction, then the same INSERT … ON CONFLICT.

The dossier's natural key is (unit, year of reception, code). What changed is counted in SQL
before the write: rows whose key is new (created), rows whose key exists with other values
(updated: only these are rewritten) and rows identical to what is stored (unchanged, left
alone with their old import batch). A dossier whose year of reception was corrected moves:
the row under its old year is deleted and counted as updated, not created.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.db import connection, transaction

from parindex.registers import facts

TABLE = "registers_dossier"
KEY = ("unit_id", "year", "code")
# Every column an import writes, in table order (id is the database's).
COLUMNS = (
    "unit_id",
    "year",
    "code",
    "procedure_code",
    "procedure_name",
    "field_code",
    "field_name",
    "receiving_office",
    "deciding_agency",
    "channel",
    "service_level",
    "status",
    "submitted_at",
    "received_at",
    "received_on",
    "due_at",
    "due_on",
    "time_limit",
    "time_limit_unit",
    "finished_at",
    "returned_at",
    "ended_at",
    "ended_on",
    "return_method",
    "supplement_count",
    "supplement_requested_at",
    "supplement_provided_at",
    "rejected_at",
    "rejection_reason",
    "apology",
    "apology_at",
    "new_due_at",
    "digitised",
    "electronic_result",
    "fee",
    "paid_online",
    "fee_exempt",
    "satisfaction",
    "note",
    "batch_id",
    "facts",
)
# The columns `load_dossiers` adds to the checked rows.
ADDED = ("batch_id", "facts")
# What "unchanged" compares: everything but the key and the batch.
DATA = tuple(c for c in COLUMNS if c not in KEY and c != "batch_id")
# Rows per chunk sent to COPY (bounded memory for the CSV text).
COPY_CHUNK = 200_000
# From this many rows written on, a PostgreSQL import refreshes the table's statistics.
POSTGRESQL_ANALYZE_ROWS = 10_000
# SQLite's page cache during a bulk load, in KiB (the default is 2 MB): enough for the
# pages the inserts keep changing (the (unit, received on) index takes each unit's dates at
# scattered places), not so much that the pages written once (the table and the key, both in
# the order of the rows) wait in it for the commit. Those spill to the write-ahead log while
# the staging thread is the slower side, instead of all at the commit, which nothing
# overlaps: 256 MB made the same import about 0.5 s slower, with the same log.
SQLITE_CACHE_KIB = 32 * 1024
# The slices staged while SQLite inserts the one before. The staging thread is the slower
# side of the pipeline and never waits, so the load takes about the time to stage every
# slice plus the time to insert the last one, which nothing else overlaps: the slices shrink,
# each SHRINK times the one before (inserting slows as the indexes grow, so a slice takes
# about as long to insert as the next, smaller one to stage), the last at least
# LAST_SLICE_ROWS (a staging file has a fixed cost; a small file is one slice). Every slice
# stays attached until the transaction ends and SQLite attaches at most ten files, so at
# most MAX_SLICES: a larger register gets larger slices.
SQLITE_SLICE_SHRINK = 0.88
SQLITE_LAST_SLICE_ROWS = 25_000
SQLITE_MAX_SLICES = 8
# Rows per executemany inside a caller's transaction (see _load_sqlite_inside).
INSIDE_BATCH_ROWS = 50_000


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def load_dossiers(
    frame: pl.DataFrame, batch_id: int | None, progress=None, after=None
) -> LoadCounts:
    """Write `frame` (the COLUMNS but the ADDED, worked out here) into the register in one
    transaction; `after()` is called inside it once the rows are written (the
    `registers_changed` announcement). Best called outside any transaction: on SQLite the
    staging files are attached to the connection, which a surrounding transaction keeps from
    detaching them."""
    frame = frame.with_columns(
        pl.lit(batch_id, dtype=pl.Int64).alias("batch_id"), facts.of_frame().alias("facts")
    ).select(COLUMNS)
    if frame.height == 0:
        return LoadCounts()
    if connection.vendor == "postgresql":
        return _load_postgresql(frame, progress, after)
    if connection.vendor == "sqlite":
        if connection.in_atomic_block:
            return _load_sqlite_inside(frame, progress, after)
        return _load_sqlite(frame, progress, after)
    raise NotImplementedError(connection.vendor)


def _after(after) -> None:
    if after is not None:
        after()


def _report(progress, step: str, done: int, total: int) -> None:
    if progress is not None:
        progress(step, done, total)


# --- the SQL both databases share ------------------------------------------------------------


def _same(a: str, b: str, vendor: str) -> str:
    op = "IS" if vendor == "sqlite" else "IS NOT DISTINCT FROM"
    return " AND ".join(f"{a}.{c} {op} {b}.{c}" for c in DATA)


def _unit_list(unit_ids) -> str:
    return ", ".join(str(int(u)) for u in sorted(unit_ids))


def _holds_dossiers(cursor, unit_ids) -> bool:
    units = _unit_list(unit_ids)
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TABLE} WHERE unit_id IN ({units}))")
    return bool(cursor.fetchone()[0])


def _write(cursor, staging: str, vendor: str, total: int, first: bool) -> LoadCounts:
    """Count, move corrected years, upsert: the statements every database runs. `first`: the
    units held no dossier before this import (nothing to compare or move)."""
    if first:
        # The units hold no dossier yet (a first import): nothing to compare or move.
        columns = ", ".join(COLUMNS)
        cursor.execute(
            f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {staging}"
            + (" WHERE true" if vendor == "sqlite" else "")
        )
        return LoadCounts(created=total)
    key_join = " AND ".join(f"d.{k} = s.{k}" for k in KEY)
    other_year = (
        f"EXISTS (SELECT 1 FROM {TABLE} o WHERE o.unit_id = s.unit_id AND o.code = s.code "
        f"AND o.year <> s.year)"
    )
    cursor.execute(
        f"SELECT COUNT(d.id), COALESCE(SUM(CASE WHEN {_same('d', 's', vendor)} "
        f"THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN d.id IS NULL AND {other_year} "
        f"THEN 1 ELSE 0 END), 0) FROM {staging} s LEFT JOIN {TABLE} d ON {key_join}"
    )
    matched, unchanged, candidates = cursor.fetchone()
    moved = 0
    if candidates:
        # Dossiers whose year of reception was corrected: the row stored under the old year
        # goes, unless the file holds that year's dossier too.
        schema, _, table = staging.rpartition(".")
        index = f"{schema}.{table}_key" if schema else f"{table}_key"
        # SQLite names the schema on the index, PostgreSQL's temporary table has none.
        cursor.execute(f"CREATE INDEX {index} ON {table} (unit_id, code, year)")
        in_file = (
            f"EXISTS (SELECT 1 FROM {staging} s2 WHERE s2.unit_id = o.unit_id "
            f"AND s2.code = o.code AND s2.year = o.year)"
        )
        old_rows = (
            f"SELECT o.id, o.year FROM {staging} s JOIN {TABLE} o ON o.unit_id = s.unit_id "
            f"AND o.code = s.code AND o.year <> s.year WHERE NOT {in_file}"
        )
        cursor.execute(
            f"SELECT COUNT(*) FROM {staging} s WHERE NOT EXISTS (SELECT 1 FROM {TABLE} d "
            f"WHERE {key_join}) AND EXISTS (SELECT 1 FROM {TABLE} o WHERE o.unit_id = s.unit_id "
            f"AND o.code = s.code AND o.year <> s.year AND NOT {in_file})"
        )
        moved = cursor.fetchone()[0]
        cursor.execute(f"DELETE FROM {TABLE} WHERE (id, year) IN ({old_rows})")
    columns = ", ".join(COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*DATA, "batch_id"))
    if vendor == "sqlite":
        changed = " AND ".join(f"{TABLE}.{c} IS excluded.{c}" for c in DATA)
        where = f"NOT ({changed})"
    else:
        lhs = ", ".join(f"{TABLE}.{c}" for c in DATA)
        rhs = ", ".join(f"excluded.{c}" for c in DATA)
        where = f"({lhs}) IS DISTINCT FROM ({rhs})"
    cursor.execute(
        f"INSERT INTO {TABLE} ({columns}) SELECT {columns} FROM {staging}"
        + (" WHERE true" if vendor == "sqlite" else "")
        + f" ON CONFLICT (unit_id, year, code) DO UPDATE SET {updates} WHERE {where}"
    )
    return LoadCounts(
        created=total - matched - moved, updated=matched - unchanged + moved, unchanged=unchanged
    )


# --- SQLite ----------------------------------------------------------------------------------


def _django_datetime(expr: pl.Expr, fractions: bool) -> pl.Expr:
    """An instant as Django stores it in SQLite: naive UTC text, microseconds only if any
    (`fractions`: whether the column has any at all; most registers have none, and then one
    format does for the whole column)."""
    naive = expr.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    whole = naive.dt.strftime("%Y-%m-%d %H:%M:%S")
    if not fractions:
        return whole
    return (
        pl.when(naive.dt.microsecond() == 0)
        .then(whole)
        .otherwise(naive.dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
    )


def _for_sqlite(frame: pl.DataFrame) -> pl.DataFrame:
    instants = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime)]
    fractions = (
        frame.select((pl.col(name).dt.microsecond() != 0).any() for name in instants).row(
            0, named=True
        )
        if instants and frame.height
        else {}
    )
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            exprs.append(_django_datetime(pl.col(name), bool(fractions.get(name))).alias(name))
        elif dtype == pl.Date:
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d").alias(name))
        elif dtype == pl.Boolean:
            exprs.append(pl.col(name).cast(pl.Int8).alias(name))
    return frame.with_columns(exprs) if exprs else frame


def staging_dir() -> Path:
    """Where staging files go: beside the database file (same disk), else the temp dir."""
    name = str(connection.settings_dict.get("NAME") or "")
    if name and name != ":memory:" and not name.startswith("file:"):
        return Path(name).resolve().parent
    return Path(tempfile.gettempdir())


def slice_sizes(
    total: int,
    smallest: int | None = None,
    shrink: float | None = None,
    most: int | None = None,
) -> list[int]:
    """The rows of each staged slice for `total` rows: as many slices as fit in `most` with
    the last at least `smallest` rows, each about `shrink` times the one before."""
    smallest = max(1, smallest or SQLITE_LAST_SLICE_ROWS)
    shrink = min(1.0, max(0.01, shrink or SQLITE_SLICE_SHRINK))
    most = max(1, most or SQLITE_MAX_SLICES)
    for count in range(min(most, total), 1, -1):
        weights = list(itertools.accumulate(shrink**i for i in range(count)))
        # Rounded where the slices end, so that they add up to `total` exactly.
        ends = [round(total * w / weights[-1]) for w in weights]
        sizes = [b - a for a, b in itertools.pairwise([0, *ends]) if b > a]
        if sizes[-1] >= smallest:
            return sizes
    return [total] if total > 0 else []


def _chunks(frame: pl.DataFrame, sizes: list[int]) -> list[pl.DataFrame]:
    """`frame` (sorted by code) in slices of about `sizes` rows (the last size repeats), that
    never split a code: every dossier of one code is in one slice (what the moved-year check
    compares), so a slice may be a little larger, and the slices fewer."""
    bounds = [0]
    codes = frame["code"]
    for size in itertools.chain(sizes, itertools.repeat(sizes[-1])):
        if bounds[-1] >= frame.height:
            break
        cut = bounds[-1] + max(1, size)
        while cut < frame.height and codes[cut] == codes[cut - 1]:
            cut += 1
        bounds.append(min(cut, frame.height))
    return [frame.slice(a, b - a) for a, b in itertools.pairwise(bounds) if b > a]


def _stage(chunk: pl.DataFrame, directory: Path) -> Path:
    """One slice written by ADBC to its own staging file (table `s`)."""
    import adbc_driver_sqlite.dbapi as adbc

    descriptor, name = tempfile.mkstemp(
        prefix=".parindex-staging-", suffix=".sqlite3", dir=directory
    )
    os.close(descriptor)
    path = Path(name)
    path.unlink()  # ADBC creates the file
    table = chunk.to_arrow()
    with adbc.connect(str(path), autocommit=True) as staging, staging.cursor() as cursor:
        # Large pages: a tenth of the system calls to write the file and to read it back.
        cursor.execute("PRAGMA page_size=65536")
        cursor.execute("PRAGMA journal_mode=OFF")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.adbc_ingest("s", table, mode="create")
    return path


def _load_sqlite_inside(frame: pl.DataFrame, progress, after) -> LoadCounts:
    """Inside a caller's transaction a staging file, once read, cannot be detached before
    that transaction ends (SQLite allows ten attached files): the rows go instead into a
    temporary table of the connection, in large executemany batches."""
    total = frame.height
    unit_ids = frame["unit_id"].unique().to_list()
    staging = "parindex_staging_" + uuid.uuid4().hex[:12]
    columns = ", ".join(COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    frame = _for_sqlite(frame.sort("code"))
    _report(progress, "load", 0, total)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE {staging} AS SELECT {columns} FROM {TABLE} WHERE 0")
        for start in range(0, total, INSIDE_BATCH_ROWS):
            rows = frame.slice(start, INSIDE_BATCH_ROWS).rows()
            cursor.executemany(f"INSERT INTO {staging} ({columns}) VALUES ({marks})", rows)
            _report(progress, "load", min(total, start + INSIDE_BATCH_ROWS) // 2, total)
        first = not _holds_dossiers(cursor, unit_ids)
        counts = _write(cursor, f"temp.{staging}", "sqlite", total, first)
        cursor.execute(f"DROP TABLE temp.{staging}")
        _after(after)
    _report(progress, "load", total, total)
    return counts


def _load_sqlite(frame: pl.DataFrame, progress, after) -> LoadCounts:
    """Slices of the file are staged by a second thread (Polars and ADBC) while SQLite inserts
    the previous slice: the two cores work at once. All slices go in one transaction."""
    total = frame.height
    unit_ids = frame["unit_id"].unique().to_list()
    # In the order of the code, which leads the key: its index then grows at one place
    # instead of everywhere (several times faster for a million rows).
    chunks = _chunks(frame.sort("code"), slice_sizes(total))
    del frame
    heights = [chunk.height for chunk in chunks]
    staged: list = []
    directory = staging_dir()
    paths: list[Path] = []
    aliases: list[str] = []
    _report(progress, "load", 0, total)
    connection.ensure_connection()
    _detach_stale()
    counts = LoadCounts()
    done = 0
    # Every unit_id was matched to a stored unit while the file was checked: checking the
    # foreign key again for each of a million rows costs a tenth of the insert. (SQLite can
    # switch it off outside a transaction only, and this load runs outside one.)
    with (
        ThreadPoolExecutor(max_workers=1) as pool,
        connection.constraint_checks_disabled(),
        connection.cursor() as cursor,
    ):
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        cursor.execute("PRAGMA wal_autocheckpoint")
        autocheckpoint = cursor.fetchone()[0]
        cursor.execute("PRAGMA temp_store")
        temp_store = cursor.fetchone()[0]
        try:
            # Each slice is put in SQLite's text form (by all cores) just before the staging
            # thread takes it, not all at first: the first slice is staged meanwhile the
            # others are converted. (In the staging thread, the slower side, it would cost
            # more.)
            while chunks:
                staged.append(pool.submit(_stage, _for_sqlite(chunks.pop(0)), directory))
            # A larger page cache while a million index entries go in (SQLITE_CACHE_KIB).
            cursor.execute(f"PRAGMA main.cache_size = -{SQLITE_CACHE_KIB}")
            # The commit only appends to the write-ahead log; copying the log into the
            # database file (a second write of every page) is left to `checkpoint`, which
            # the import runs meanwhile its data-quality checks read (else the next commit
            # on any connection does it).
            cursor.execute("PRAGMA wal_autocheckpoint = 0")
            # Each slice's INSERT keeps a statement journal (the index pages that earlier
            # slices of the transaction changed, to undo this statement alone): in memory,
            # not as a temporary file (a fifth of what a million rows would write to disk).
            cursor.execute("PRAGMA temp_store = MEMORY")
            with transaction.atomic():
                first = not _holds_dossiers(cursor, unit_ids)
                for height, future in zip(heights, staged, strict=True):
                    path = future.result()
                    paths.append(path)
                    alias = "parindex_staging_" + uuid.uuid4().hex[:12]
                    cursor.execute("ATTACH DATABASE %s AS " + alias, [str(path)])
                    aliases.append(alias)
                    part = _write(cursor, f"{alias}.s", "sqlite", height, first)
                    counts.created += part.created
                    counts.updated += part.updated
                    counts.unchanged += part.unchanged
                    done += height
                    _report(progress, "load", done, total)
                _after(after)
        finally:
            for future in staged:  # a failed slice: the others still end before cleaning
                with contextlib.suppress(Exception):
                    paths.append(future.result())
            cursor.execute(f"PRAGMA main.cache_size = {int(cache_size)}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(autocheckpoint)}")
            cursor.execute(f"PRAGMA temp_store = {int(temp_store)}")
            for alias in aliases:
                if not _detach(alias):
                    # Inside a caller's transaction the file stays attached until it ends.
                    transaction.on_commit(lambda alias=alias: _detach(alias))
            for path in set(paths):
                with contextlib.suppress(OSError):
                    path.unlink()
    return counts


def checkpoint() -> None:
    """SQLite: copy the write-ahead log into the database file (without waiting for readers;
    what they still hold is copied at a later checkpoint). A no-op on a database that keeps
    no log, such as an in-memory one."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0] == "wal":
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _detach(alias: str) -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("DETACH DATABASE " + alias)
    except Exception:  # "database is locked" while the surrounding transaction is open
        return False
    return True


def _detach_stale() -> None:
    """Staging files left attached by an import inside a transaction that has ended since."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        stale = [row[1] for row in cursor.fetchall() if row[1].startswith("parindex_staging_")]
    for alias in stale:
        _detach(alias)


# --- PostgreSQL ------------------------------------------------------------------------------


def _for_postgresql(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            naive = pl.col(name).dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            exprs.append(naive.dt.strftime("%Y-%m-%d %H:%M:%S%.6f+00").alias(name))
        elif dtype == pl.Date:
            exprs.append(pl.col(name).dt.strftime("%Y-%m-%d").alias(name))
    return frame.with_columns(exprs) if exprs else frame


def _load_postgresql(frame: pl.DataFrame, progress, after) -> LoadCounts:
    total = frame.height
    unit_ids = frame["unit_id"].unique().to_list()
    staging = "parindex_dossier_staging"
    columns = ", ".join(COLUMNS)
    frame = _for_postgresql(frame.sort("code"))  # index locality, as on SQLite
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(
            f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {TABLE} WITH NO DATA"
        )
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        sent = 0
        with raw.copy(f"COPY {staging} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')") as copy:
            for start in range(0, total, COPY_CHUNK):
                chunk = frame.slice(start, COPY_CHUNK)
                copy.write(
                    chunk.write_csv(
                        include_header=False, null_value="\\N", quote_style="non_numeric"
                    )
                )
                sent += chunk.height
                _report(progress, "load", sent // 2, total)
        cursor.execute(f"ANALYZE {staging}")
        first = not _holds_dossiers(cursor, unit_ids)
        counts = _write(cursor, staging, "postgresql", total, first)
        cursor.execute(f"DROP TABLE {staging}")
        # The planner's statistics still describe the table before the load (autovacuum
        # analyzes it later, at its own pace): the counts that follow a large import would
        # be planned for a table a fraction of its size, without parallel workers.
        if counts.created + counts.updated >= POSTGRESQL_ANALYZE_ROWS:
            cursor.execute(f"ANALYZE {TABLE}")
        _after(after)
    _report(progress, "load", total, total)
    return counts
