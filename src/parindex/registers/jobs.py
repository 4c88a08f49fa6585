"""Background jobs of the registers: a file uploaded on the web is imported by the worker
(django-tasks, database backend; `parindex serve` runs it), not by the request, and the page
polls the import record (`RegisterImport`) for its progress."""

from __future__ import annotations

import time
from pathlib import Path

from django.utils import timezone
from django_tasks import task

from parindex.registers.models import RegisterImport

# The progress record is written at most this often (seconds): the import goes on meanwhile.
PROGRESS_EVERY = 0.5


@task()
def run_import(batch_id: int) -> str:
    """Import the file of a queued RegisterImport; its record says how it went."""
    from parindex.registers.imports import RegisterRefused, import_register

    batch = RegisterImport.objects.select_related("unit", "user").filter(pk=batch_id).first()
    if batch is None or batch.state != RegisterImport.State.QUEUED:
        return "skipped"
    last = 0.0

    def progress(step: str, done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_EVERY and done < total:
            return
        last = now
        RegisterImport.objects.filter(pk=batch_id).update(step=step, done=done, total=total)

    path = Path(batch.path)
    try:
        import_register(
            batch.kind,
            path,
            unit=batch.unit,
            skip_invalid=bool((batch.options or {}).get("skip_invalid")),
            rejected_path=rejected_path(batch),
            user=batch.user,
            actor=batch.actor,
            batch=batch,
            progress=progress,
        )
    except RegisterRefused:
        return "refused"  # the record holds the problems
    except Exception as exc:  # the record must say so; the worker logs the traceback
        RegisterImport.objects.filter(pk=batch_id).update(
            state=RegisterImport.State.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished=timezone.now(),
        )
        raise
    return "done"


def rejected_path(batch: RegisterImport) -> Path:
    """Where the rejected rows of a web import go: beside the uploaded file."""
    return Path(batch.path).with_suffix(".rejected.csv")
