"""The demo round's units keep registers: a generated dossier register of the round's year,
imported through the real import (`registers.imports.import_register`), and a few rows of
feedback, directive tasks, required reports and plan tasks. The registers' figures then fill
the criteria computed from them in the units' self-assessments (`registers.bindings`).

Idempotent: a unit that already keeps a register is left alone.
"""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

from parindex.library.accounts import DEMO_UNITS
from parindex.registers import signals
from parindex.registers.generate import dossiers, write
from parindex.registers.models import (
    DirectiveTask,
    Dossier,
    Feedback,
    PlanTask,
    RegisterKind,
    RequiredReport,
)
from parindex.units.models import Unit

YEAR = 2023  # the demo round's framework (so-2023)
DOSSIERS_PER_UNIT = 600
ACTOR = "parindex demo"


def load_demo_registers() -> int:
    """Load the demo units' registers; returns how many dossiers were imported."""
    from parindex.registers.imports import import_register

    units = list(Unit.objects.filter(code__in=DEMO_UNITS).order_by("code"))
    keeping = set(Dossier.objects.filter(unit__in=units).values_list("unit_id", flat=True))
    missing = [unit for unit in units if unit.pk not in keeping]
    imported = 0
    if missing:
        codes = [unit.code for unit in missing]
        frame = dossiers(DOSSIERS_PER_UNIT * len(codes), codes, YEAR, seed=2023)
        with tempfile.TemporaryDirectory() as folder:
            path = write(frame, Path(folder) / "so-theo-doi-ho-so-2023.csv")
            report = import_register(RegisterKind.DOSSIERS, path, actor=ACTOR)
            imported = report.created
    for index, unit in enumerate(units):
        _small_registers(unit, index)
    return imported


def _small_registers(unit: Unit, index: int) -> None:
    """Feedback, directive tasks, reports and plan tasks of a demo unit (once)."""
    changed = set()
    d = date
    if not Feedback.objects.filter(unit=unit).exists():
        rows = []
        for n in range(6 + index):
            received = d(YEAR, 2 + n, 3 + index)
            late = n == 4
            rows.append(
                Feedback(
                    unit=unit,
                    code=f"PAKN-{YEAR}-{n + 1:03d}",
                    received_on=received,
                    due_on=received + timedelta(days=21),
                    handled_on=received + timedelta(days=30 if late else 10 + n),
                    channel="Cổng Dịch vụ công",
                    content="Phản ánh về thời gian giải quyết thủ tục hành chính",
                    outcome=Feedback.Outcome.HANDLED,
                    satisfied=n != 2,
                )
            )
        Feedback.objects.bulk_create(rows)
        changed.add(RegisterKind.FEEDBACK)
    if not DirectiveTask.objects.filter(unit=unit).exists():
        rows = []
        for n in range(5):
            deadline = d(YEAR, 3 + 2 * n, 15)
            rows.append(
                DirectiveTask(
                    unit=unit,
                    code=f"NV-{YEAR}-{n + 1:02d}",
                    document_number=f"{120 + n}/UBND-VX",
                    document_date=deadline - timedelta(days=40),
                    issuer="UBND tỉnh",
                    task="Báo cáo, tham mưu triển khai nhiệm vụ cải cách hành chính được giao",
                    deadline=deadline,
                    completed_on=deadline + timedelta(days=3 if n == index % 5 else -2),
                    state=DirectiveTask.State.DONE,
                )
            )
        DirectiveTask.objects.bulk_create(rows)
        changed.add(RegisterKind.DIRECTIVES)
    if not RequiredReport.objects.filter(unit=unit).exists():
        quarters = ((1, d(YEAR, 3, 15)), (2, d(YEAR, 6, 15)), (3, d(YEAR, 9, 15)))
        RequiredReport.objects.bulk_create(
            [
                RequiredReport(
                    unit=unit,
                    kind="Báo cáo công tác CCHC quý",
                    period=f"Quý {q}/{YEAR}",
                    due_on=due,
                    sent_on=due + timedelta(days=2 if (q + index) % 4 == 0 else -1),
                )
                for q, due in quarters
            ]
        )
        changed.add(RegisterKind.REPORTS)
    if not PlanTask.objects.filter(unit=unit).exists():
        PlanTask.objects.bulk_create(
            [
                PlanTask(
                    unit=unit,
                    year=YEAR,
                    code=f"{n + 1}",
                    title=title,
                    deadline=d(YEAR, 3 * (n + 1), 28),
                    done_on=d(YEAR, 3 * (n + 1), 20) if n < 3 - index % 2 else None,
                    state=PlanTask.State.DONE if n < 3 - index % 2 else PlanTask.State.OPEN,
                )
                for n, title in enumerate(
                    (
                        "Ban hành kế hoạch CCHC năm",
                        "Rà soát, đơn giản hóa thủ tục hành chính",
                        "Tuyên truyền CCHC",
                        "Kiểm tra công tác CCHC tại các đơn vị",
                    )
                )
            ]
        )
        changed.add(RegisterKind.PLAN_TASKS)
    for kind in changed:
        signals.changed(kind, {unit.pk})
