"""The one entry point for importing a register file, whoever asks: the CLI (`parindex
registers import`), the web page's background job (`registers.jobs.run_import`).

`import_register` records the import (`RegisterImport`: who, which file and its SHA-256,
what changed, what was refused, the data-quality findings), checks the permission of the user
for every unit the file touches (`registers.access.refusal`, WRITE; user None is the system,
the operator's CLI), and either writes the file's rows or refuses the whole file with every
problem listed (RegisterRefused: nothing written). With `skip_invalid` the valid rows are
written and the rejected ones, with their reasons, go to a CSV file beside the input.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from parindex.domain.i18n import gettext_noop as N_
from parindex.registers import apart
from parindex.registers.models import RegisterImport, RegisterKind
from parindex.tables import RowProblem, TableError

# Problems kept in the import record (the page shows them; the rest are counted).
MAX_STORED_PROBLEMS = 1000


class RegisterRefused(TableError):
    """The whole file is refused; nothing was written. `batch` is the failed import record
    (None when even that could not be made)."""

    def __init__(self, problems: list[RowProblem], batch: RegisterImport | None = None):
        super().__init__(problems)
        self.batch = batch


@dataclass
class ImportReport:
    batch: RegisterImport
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    rejected_path: Path | None = None
    problems: list[RowProblem] = field(default_factory=list)
    quality: list = field(default_factory=list)
    unit_ids: set[int] = field(default_factory=set)  # the units whose register was written


def import_register(
    kind: str,
    path,
    *,
    unit=None,
    skip_invalid: bool = False,
    rejected_path=None,
    user=None,
    actor: str = "",
    batch: RegisterImport | None = None,
    progress=None,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    max_unpacked: int | None = None,
) -> ImportReport:
    """Import `path` into the `kind` register (a RegisterKind value).

    `unit`: a Unit or a unit code, the unit of every row (else the file says per row).
    `progress(step, done, total)` is called while the file is read, checked and loaded.
    `batch`: the queued RegisterImport of a web upload, else one is made.
    `max_bytes`, `max_rows`, `max_unpacked`: smaller caps than the CLI's (the web's).
    Raises RegisterRefused (a TableError) when the file is refused.
    """
    limits = {
        name: value
        for name, value in (
            ("max_bytes", max_bytes),
            ("max_rows", max_rows),
            ("max_unpacked", max_unpacked),
        )
        if value is not None
    }
    if kind not in RegisterKind.values:
        raise RegisterRefused(
            [
                _file_problem(
                    N_("unknown register “%(kind)s” (one of: %(kinds)s)"),
                    kind=kind,
                    kinds=", ".join(RegisterKind.values),
                )
            ]
        )
    options = {"skip_invalid": bool(skip_invalid)}
    if rejected_path:
        options["rejected"] = str(rejected_path)
    if kind != RegisterKind.DOSSIERS:
        from parindex.registers.small import import_small

        return import_small(
            kind,
            path,
            unit=unit,
            skip_invalid=skip_invalid,
            rejected_path=rejected_path,
            user=user,
            actor=actor,
            batch=batch,
            progress=progress,
            **limits,
        )
    from parindex.registers import dossiers, loading

    path = Path(path)
    batch = start_batch(kind, path, unit=unit, user=user, actor=actor, batch=batch, options=options)
    # The file's SHA-256 is worked out beside the import (hashlib lets other threads run).
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(sha256_of, path)
        try:
            report = dossiers.import_dossiers(
                path,
                unit=unit,
                skip_invalid=skip_invalid,
                rejected_path=rejected_path,
                user=user,
                batch=batch,
                progress=progress,
                **limits,
            )
        except TableError as exc:
            batch.sha256 = digest.result()
            fail_batch(batch, exc.problems)
            raise RegisterRefused(exc.problems, batch) from None
        except Exception as exc:
            batch.sha256 = digest.result()
            fail_batch(batch, [], error=f"{type(exc).__name__}: {exc}")
            raise
        batch.sha256 = digest.result()
    # SQLite: a million rows' log is written into the database file while the checks read.
    with apart.meanwhile(loading.checkpoint):
        report.quality += quality_findings(kind, report.unit_ids, batch)
    finish_batch(report)
    return report


def quality_findings(kind: str, unit_ids, batch: RegisterImport) -> list:
    """The data-quality findings that need the stored rows (`registers.quality`): the codes
    this import wrote that another unit's register holds too. Never rejections."""
    if kind != RegisterKind.DOSSIERS or not unit_ids:
        return []
    from parindex.registers.quality import check_shared_codes

    return check_shared_codes(batch)


# --- the import record -----------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(4 * 2**20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def start_batch(kind, path: Path, *, unit=None, user=None, actor="", batch=None, options=None):
    """The running import record: the given queued one, or a new one."""
    from parindex.units.models import Unit

    if batch is None:
        batch = RegisterImport(kind=kind, name=path.name[:255])
    batch.kind = kind
    if not batch.name:
        batch.name = path.name[:255]
    if isinstance(unit, Unit):
        batch.unit = unit
    elif unit:
        batch.unit = Unit.objects.filter(code=str(unit).strip()).first()
    batch.actor = (actor or (user.get_username() if user is not None else "") or "cli")[:150]
    if user is not None and getattr(user, "is_authenticated", False):
        batch.user = user
    batch.options = {**(batch.options or {}), **(options or {})}
    batch.state = RegisterImport.State.RUNNING
    batch.started = timezone.now()
    batch.step = "read"
    batch.save()
    return batch


def problem_record(problem: RowProblem) -> dict:
    """A problem as JSON: row, column, value and the message in the active language."""
    from parindex.messages import render
    from parindex.registers.reading import problem_value

    reason = problem.message
    if reason.params and "reason" in reason.params and "value" in reason.params:
        reason = reason.params["reason"]
    return {
        "row": problem.row,
        "column": problem.column,
        "value": problem_value(problem),
        "message": render(reason),
    }


def fail_batch(batch: RegisterImport, problems: list[RowProblem], error: str = "") -> None:
    batch.state = RegisterImport.State.FAILED
    batch.problems = [problem_record(p) for p in problems[:MAX_STORED_PROBLEMS]]
    batch.rejected = len({p.row for p in problems if p.row is not None and p.row > 1})
    batch.error = error or (f"{len(problems)} problem(s)" if problems else "")
    batch.finished = timezone.now()
    batch.step = "failed"
    batch.save()


def finish_batch(report: ImportReport) -> None:
    batch = report.batch
    batch.state = RegisterImport.State.DONE
    batch.total = batch.done = report.rows
    batch.created, batch.updated = report.created, report.updated
    batch.unchanged, batch.rejected = report.unchanged, report.rejected
    batch.problems = [problem_record(p) for p in report.problems[:MAX_STORED_PROBLEMS]]
    batch.quality = [_finding_record(f) for f in report.quality]
    batch.finished = timezone.now()
    batch.step = "done"
    batch.save()


def _finding_record(finding) -> dict:
    if isinstance(finding, dict):
        return finding
    to_dict = getattr(finding, "as_dict", None) or getattr(finding, "to_dict", None)
    if to_dict is not None:
        return to_dict()
    return {"message": str(finding)}


def _file_problem(msgid: str, **params) -> RowProblem:
    from parindex.domain.i18n import Message

    return RowProblem(None, None, Message(msgid, params))
