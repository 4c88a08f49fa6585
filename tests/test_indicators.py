"""Indicators of the registers: every class of dossier, the options, the other registers, no
data versus zero, the drill-down lists against the counts, and the CLI."""

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection

from parindex.domain import indicators as ind
from parindex.registers import apart, indicators
from parindex.registers.indicators import compute, dossiers_in, drill_conditions
from parindex.registers.models import (
    DirectiveTask,
    Dossier,
    Feedback,
    PlanTask,
    RequiredReport,
)
from parindex.units.models import Unit

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = date(2025, 1, 1), date(2025, 12, 31)


def at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def dossier(unit, code, received, *, status=10, due=None, ended=None, channel=1, **extra):
    """A dossier as the import stores it (instants and local dates side by side)."""
    ended_at = at(ended, extra.pop("ended_hour", 9)) if ended else None
    due_at = at(due, extra.pop("due_hour", 17)) if due else None
    return Dossier(
        unit=unit,
        year=received.year,
        code=code,
        procedure_code="1.000001",
        channel=channel,
        status=status,
        received_at=at(received),
        received_on=received,
        due_at=due_at,
        due_on=due,
        finished_at=ended_at,
        ended_at=ended_at,
        ended_on=ended,
        **extra,
    )


@pytest.fixture
def unit(db):
    return Unit.objects.create(code="BVDK", name="Bệnh viện Đa khoa")


@pytest.fixture
def register(unit):
    return fill_register(unit)


def fill_register(unit):
    """One dossier of every class and edge (see `test_each_dossier_in_exactly_one_class`)."""
    d = date
    rows = [
        dossier(unit, "early", d(2025, 3, 3), due=d(2025, 3, 10), ended=d(2025, 3, 7)),
        dossier(unit, "on-due", d(2025, 3, 3), due=d(2025, 3, 10), ended=d(2025, 3, 10)),
        dossier(unit, "no-due", d(2025, 3, 3), ended=d(2025, 3, 5), channel=2),
        dossier(unit, "late", d(2025, 3, 3), due=d(2025, 3, 10), ended=d(2025, 3, 12)),
        dossier(unit, "withdrawn", d(2025, 4, 1), status=7, due=d(2025, 4, 9), ended=d(2025, 4, 2)),
        dossier(
            unit, "stopped-late", d(2025, 4, 1), status=8, due=d(2025, 4, 9), ended=d(2025, 4, 20)
        ),
        # Carried over from 2024, resolved early in 2025.
        dossier(unit, "carried", d(2024, 12, 20), due=d(2025, 1, 10), ended=d(2025, 1, 6)),
        # Ended in 2024: not counted in 2025.
        dossier(unit, "old", d(2024, 11, 1), due=d(2024, 11, 10), ended=d(2024, 11, 9)),
        # Open at the end of the year.
        dossier(unit, "open-within", d(2025, 12, 22), status=4, due=d(2026, 1, 5), channel=3),
        dossier(unit, "open-over", d(2025, 12, 1), status=4, due=d(2025, 12, 15)),
        dossier(unit, "open-due-on-end", d(2025, 12, 20), status=2, due=d(2025, 12, 31)),
        dossier(
            unit, "supplement", d(2025, 11, 3), status=5, due=d(2025, 11, 20), supplement_count=2
        ),
        # Resolved after the period's end: pending at the end of the period (snapshot).
        dossier(unit, "ended-after", d(2025, 12, 10), due=d(2025, 12, 20), ended=d(2026, 1, 3)),
        # Never received / received after the period: not counted.
        dossier(unit, "not-received", d(2025, 5, 5), status=3),
        dossier(unit, "registered", d(2025, 5, 5), status=1, channel=2),
        dossier(unit, "next-year", d(2026, 1, 5), status=4, due=d(2026, 1, 20)),
    ]
    Dossier.objects.bulk_create(rows)
    return unit


def classes_of(unit, options=ind.NATIONAL, start=START, end=END):
    found = {}
    for cls in ind.CLASSES:
        for code in dossiers_in(unit, start, end, cls, options).values_list("code", flat=True):
            assert code not in found, f"{code} in {found[code]} and {cls}"
            found[code] = cls
    return found


def test_each_dossier_in_exactly_one_class(register):
    assert classes_of(register) == {
        "early": "early",
        "on-due": "on_time",
        "no-due": "on_time",
        "late": "late",
        "withdrawn": "withdrawn",
        "stopped-late": "late",
        "carried": "early",
        "open-within": "pending_within",
        "open-over": "pending_over",
        "open-due-on-end": "pending_within",
        "supplement": "pending_within",
        "ended-after": "pending_over",  # due 20/12, still open on 31/12
    }


def test_table_06a_and_its_sums(register):
    table = compute([register], START, END)[register.pk].table_06a
    assert table == {
        "col3": 12,
        "col4": 1,  # no-due came online
        "col5": 10,
        "col6": 1,  # carried over from 2024
        "col7": 7,
        "col8": 2,
        "col9": 3,  # on-due, no-due and the withdrawn one
        "col10": 2,
        "col11": 5,
        "col12": 3,
        "col13": 2,
    }
    assert table["col3"] == table["col7"] + table["col11"]


def test_a_snapshot_at_the_end_of_a_shorter_period(register):
    # On 15/03/2025 "late" (ended 12/03, due 10/03) is resolved late, "early" resolved early;
    # the April dossiers do not count yet.
    found = classes_of(register, end=date(2025, 3, 15))
    assert found["late"] == "late" and "withdrawn" not in found
    # On 11/03 the late one is still pending and already overdue.
    found = classes_of(register, end=date(2025, 3, 11))
    assert found["late"] == "pending_over"
    assert found["on-due"] == "on_time"


def test_options(register):
    found = classes_of(register, ind.Options(early_includes_due=True))
    assert found["on-due"] == "early"
    found = classes_of(register, ind.Options(supplements_over_one_late=True))
    assert found["supplement"] == "pending_over"
    table = compute([register], START, END, ind.Options(withdrawn_on_time=False))[register.pk]
    assert table.table_06a["col9"] == 2 and table.table_06a["col7"] == 6
    assert table.table_06a["col3"] == table.table_06a["col7"] + table.table_06a["col11"] + 1


def _counted_apart(monkeypatch, workers=3) -> list:
    """Let SQLite split every count into `workers` ranges of ids; the calls each thread ran,
    once done."""
    monkeypatch.setattr(indicators, "PARALLEL_FROM", 1)
    monkeypatch.setattr(apart, "cores", lambda: workers)
    ran = []
    run = apart.on_own_connection

    def recorded(call):
        ran.append(call)
        return run(call)

    monkeypatch.setattr(apart, "on_own_connection", recorded)
    return ran


@pytest.mark.django_db(transaction=True)
def test_counted_side_by_side_as_on_one_connection(monkeypatch):
    units = [Unit.objects.create(code=code, name=code) for code in ("BVDK", "CDC")]
    for unit in units:
        fill_register(unit)
    for options in (ind.NATIONAL, ind.Options(withdrawn_on_time=False, compare="datetime")):
        alone = {pk: u.counts for pk, u in compute(None, START, END, options).items()}
        with monkeypatch.context() as patch:
            ran = _counted_apart(patch)
            apart = {pk: u.counts for pk, u in compute(None, START, END, options).items()}
        assert apart == alone
        assert len(ran) == (3 if connection.vendor == "sqlite" else 0)
    assert alone[units[0].pk][ind.DOSSIERS]["late"] == 2
    # What counts is how many dossiers the count reads: every unit's (the span of the ids),
    # or the rows of the units asked for.
    one_unit = Dossier.objects.filter(unit=units[0]).count()
    with monkeypatch.context() as patch:
        ran = _counted_apart(patch)
        patch.setattr(indicators, "PARALLEL_FROM", one_unit + 1)
        compute([units[0]], START, END)
        assert ran == []
        compute(None, START, END)
        assert len(ran) == (3 if connection.vendor == "sqlite" else 0)


def test_not_apart_inside_a_transaction(register, monkeypatch):
    # The other connections would not see the rows this transaction wrote.
    ran = _counted_apart(monkeypatch)
    table = compute([register], START, END)[register.pk].table_06a
    assert ran == [] and table["col3"] == 12


def test_datetime_comparison_splits_the_due_day(unit):
    day = date(2025, 6, 2)
    Dossier.objects.bulk_create(
        [
            dossier(
                unit,
                "evening",
                day,
                due=day + timedelta(days=3),
                ended=day + timedelta(days=3),
                ended_hour=18,
            )
        ]
    )
    assert classes_of(unit)["evening"] == "on_time"
    assert classes_of(unit, ind.Options(compare="datetime"))["evening"] == "late"


def test_drill_down_lists_match_every_number(register):
    result = compute([register], START, END)[register.pk]
    conditions = drill_conditions(START, END)
    for column, name in ind.COLUMN_CLASSES.items():
        assert dossiers_in(register, START, END, name).count() == result.table_06a[column], column
    for name in ("postal", "digitised", "apologised", "overdue_apologised"):
        assert name in conditions
        assert (
            dossiers_in(register, START, END, name).count()
            == result.figures[f"dossiers.{name}"].value
        )


def test_rates_apology_and_postal(unit):
    d = date
    Dossier.objects.bulk_create(
        [
            dossier(
                unit,
                "a",
                d(2025, 2, 3),
                due=d(2025, 2, 10),
                ended=d(2025, 2, 12),
                apology=True,
                apology_at=at(d(2025, 2, 9)),
            ),
            dossier(
                unit,
                "b",
                d(2025, 2, 3),
                due=d(2025, 2, 10),
                ended=d(2025, 2, 12),
                apology=True,
                apology_at=at(d(2025, 2, 11)),
            ),
            dossier(unit, "c", d(2025, 2, 3), due=d(2025, 2, 10), ended=d(2025, 2, 6), channel=3),
            dossier(
                unit,
                "d",
                d(2025, 2, 3),
                due=d(2025, 2, 10),
                ended=d(2025, 2, 6),
                return_method=3,
                returned_at=at(d(2025, 2, 7)),
            ),
        ]
    )
    figures = compute([unit], START, END)[unit.pk].figures
    assert figures["dossiers.late"].value == 2
    assert figures["dossiers.apologised"].value == 1  # b's letter came after the due date
    rate = figures["dossiers.apology_rate"]
    assert (rate.numerator, rate.denominator, rate.value) == (1, 2, Decimal("0.5"))
    postal = figures["dossiers.postal_share"]
    assert (postal.numerator, postal.denominator) == (2, 4)
    assert figures["dossiers.on_time_rate"].value == Decimal("0.5")
    assert figures["766.progress"].value == Decimal(10)  # 20 × 2/4


def test_no_data_is_not_zero(unit):
    other = Unit.objects.create(code="CDC", name="CDC")
    Feedback.objects.create(unit=other, code="old", received_on=date(2023, 5, 1))
    result = compute([unit, other], START, END)
    assert result[unit.pk].figures["dossiers.received"].value is None
    assert result[unit.pk].figures["feedback.received"].value is None
    assert result[unit.pk].has_data == dict.fromkeys(result[unit.pk].has_data, False)
    # The CDC keeps a feedback register but received nothing in 2025: zero, not missing.
    assert result[other.pk].figures["feedback.received"].value == 0
    assert result[other.pk].figures["feedback.on_time_rate"].value is None
    assert result[other.pk].figures["766.feedback_on_time"].value == 6


def test_the_small_registers(unit):
    d = date
    Feedback.objects.bulk_create(
        [
            Feedback(
                unit=unit,
                code="1",
                received_on=d(2025, 3, 1),
                due_on=d(2025, 3, 20),
                handled_on=d(2025, 3, 10),
                satisfied=True,
            ),
            Feedback(
                unit=unit,
                code="2",
                received_on=d(2025, 3, 1),
                due_on=d(2025, 3, 20),
                handled_on=d(2025, 3, 25),
                satisfied=False,
            ),
            Feedback(unit=unit, code="3", received_on=d(2025, 3, 1), handled_on=d(2025, 4, 25)),
        ]
    )
    DirectiveTask.objects.bulk_create(
        [
            DirectiveTask(
                unit=unit,
                code="1",
                document_number="1/QĐ",
                task="a",
                deadline=d(2025, 6, 30),
                completed_on=d(2025, 6, 30),
            ),
            DirectiveTask(
                unit=unit,
                code="2",
                document_number="1/QĐ",
                task="b",
                deadline=d(2025, 6, 30),
                completed_on=d(2025, 7, 1),
            ),
            DirectiveTask(
                unit=unit,
                code="3",
                document_number="1/QĐ",
                task="c",
                deadline=d(2025, 6, 30),
                state="cancelled",
            ),
            DirectiveTask(
                unit=unit, code="4", document_number="1/QĐ", task="d", deadline=d(2026, 1, 30)
            ),
        ]
    )
    RequiredReport.objects.bulk_create(
        [
            RequiredReport(
                unit=unit,
                kind="Quý",
                period="I/2025",
                due_on=d(2025, 3, 20),
                sent_on=d(2025, 3, 19),
            ),
            RequiredReport(
                unit=unit,
                kind="Quý",
                period="II/2025",
                due_on=d(2025, 6, 20),
                sent_on=d(2025, 6, 23),
            ),
            RequiredReport(unit=unit, kind="Quý", period="III/2025", due_on=d(2025, 9, 20)),
        ]
    )
    PlanTask.objects.bulk_create(
        [
            PlanTask(unit=unit, year=2025, code="1", title="a", done_on=d(2025, 5, 1)),
            PlanTask(unit=unit, year=2025, code="2", title="b", state="done"),
            PlanTask(unit=unit, year=2025, code="3", title="c"),
            PlanTask(unit=unit, year=2025, code="4", title="d", state="cancelled"),
            PlanTask(unit=unit, year=2024, code="1", title="old", done_on=d(2024, 5, 1)),
        ]
    )
    f = compute([unit], START, END)[unit.pk].figures
    assert (f["feedback.received"].value, f["feedback.on_time"].value) == (3, 2)
    assert (f["feedback.satisfied"].value, f["feedback.overdue"].value) == (1, 1)
    assert (f["directives.total"].value, f["directives.on_time"].value) == (2, 1)
    assert (f["reports.total"].value, f["reports.on_time"].value, f["reports.late"].value) == (
        3,
        1,
        2,
    )
    assert (f["plan.tasks"].value, f["plan.tasks_done"].value) == (3, 2)
    assert f["plan.completion"].numerator == 2 and f["plan.completion"].denominator == 3


def test_every_catalogue_name_is_computed(register):
    figures = compute([register], START, END)[register.pk].figures
    assert set(figures) == set(ind.INDICATORS)
    for name, figure in figures.items():
        if figure.value is not None and ind.INDICATORS[name].kind == ind.RATIO:
            assert 0 <= figure.value <= 1, name


def test_cli_table_and_json(register, capsys):
    call_command("indicators", "BVDK", "--year", "2025", "--json")
    data = json.loads(capsys.readouterr().out)
    unit = data["units"][0]
    assert unit["unit"] == "BVDK" and unit["table_06a"]["col3"] == 12
    rate = unit["indicators"]["dossiers.on_time_rate"]
    assert rate["title"] == "Share of dossiers resolved early or on time"
    assert (rate["numerator"], rate["denominator"]) == (5, 7)
    assert rate["value"] == pytest.approx(5 / 7)
    call_command("indicators", "BVDK", "--from", "01/01/2025", "--to", "31/12/2025")
    out = capsys.readouterr().out
    assert "BVDK" in out and "12" in out


@pytest.mark.parametrize(
    "args",
    [
        ["NOPE", "--year", "2025"],
        ["BVDK"],
        ["BVDK", "--all", "--year", "2025"],
        ["BVDK", "--from", "31/12/2025", "--to", "01/01/2025"],
        ["BVDK", "--year", "2025", "--option", "compare=hour"],
        ["BVDK", "--year", "2025", "--option", "bogus=1"],
    ],
)
def test_cli_refusals(unit, args):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("indicators", *args)


def test_a_profile_fits_beside_the_unit_in_one_integer():
    """On SQLite the counts group by the unit's id times 2³² plus the profile (`_dossier_counts`):
    every profile must have fewer bits than that, or units would mix."""
    from parindex.domain.indicators import period_of_year
    from parindex.registers import indicators

    flags = indicators.flag_conditions(*period_of_year(2025))
    assert 1 << (indicators._CLASS_BITS + len(flags)) <= indicators._UNIT_FACTOR


def test_the_stored_facts_are_the_conditions(syt, tmp_path):
    """Each bit of `facts` that the import works out in Polars selects exactly the dossiers
    its condition in SQL selects (`registers.facts.FACTS`): on a generated register with every
    channel, status and return method, imported through the real import."""
    from parindex.registers import facts
    from parindex.registers.generate import dossiers, write
    from parindex.registers.imports import import_register

    import_register("dossiers", write(dossiers(500, ["A"], 2025, seed=11), tmp_path / "a.csv"))
    for name, (condition, _expression) in facts.FACTS.items():
        by_condition = set(Dossier.objects.filter(condition).values_list("pk", flat=True))
        by_bit = set(Dossier.objects.filter(facts.has(name)).values_list("pk", flat=True))
        assert by_bit == by_condition, name
        assert 0 < len(by_condition) < 500 or name == "disliked", name


FACT_COLUMNS = (
    "channel",
    "return_method",
    "apology",
    "apology_at",
    "due_at",
    "digitised",
    "electronic_result",
    "fee",
    "fee_exempt",
    "paid_online",
    "satisfaction",
)


def test_the_facts_in_polars_and_in_sql_agree_on_nulls(unit):
    """Every combination of null, false and true (and of the channels and return methods):
    the facts SQL sets on rows written through the ORM equal the facts Polars works out from
    the same rows, as the import does."""
    import itertools

    import polars as pl

    from parindex.registers import facts

    due = at(date(2025, 3, 10), 17)  # as `dossier` sets due_at
    values = itertools.product(
        (1, 2, 3),
        (None, 1, 3),
        (None, False, True),
        (None, due - timedelta(hours=1), due + timedelta(hours=1)),
        (None, False, True),
        (None, 0, 5000),
        ("", "không hài lòng", "hài lòng"),
    )
    rows = [
        dossier(
            unit,
            f"F-{n:05d}",
            date(2025, 3, 1),
            due=date(2025, 3, 10),
            channel=channel,
            return_method=returned,
            apology=flag,
            apology_at=apology_at,
            digitised=flag,
            electronic_result=flag,
            paid_online=flag,
            fee_exempt=exempt,
            fee=fee,
            satisfaction=rating,
        )
        for n, (channel, returned, flag, apology_at, exempt, fee, rating) in enumerate(values)
    ]
    Dossier.objects.bulk_create(rows)
    columns = ["facts", *FACT_COLUMNS]
    stored = pl.DataFrame(
        list(Dossier.objects.order_by("pk").values_list(*columns)),
        schema=columns,
        orient="row",
        infer_schema_length=None,
    )
    worked_out = stored.select(facts.of_frame())
    assert stored["facts"].to_list() == worked_out.to_series().to_list()
    assert len(set(stored["facts"].to_list())) > 50
