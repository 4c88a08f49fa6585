"""The data-quality report: each rule finds what it should, nothing is fixed or refused."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parindex.registers.models import Dossier, RegisterImport, Status
from parindex.registers.quality import check_dossiers, check_rows
from parindex.units.models import Unit

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day, hour=9):
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def make(unit, code, received, *, status=10, due=None, finished=None, returned=None, **extra):
    ended = finished or returned if status in (7, 8, 9, 10) else None
    return Dossier(
        unit=unit,
        year=received.year,
        code=code,
        procedure_code="1.000001",
        channel=1,
        status=status,
        received_at=at(received),
        received_on=received,
        due_at=at(due, 17) if due else None,
        due_on=due,
        finished_at=at(finished) if finished else None,
        returned_at=at(returned, 16) if returned else None,
        ended_at=at(ended) if ended else None,
        ended_on=ended,
        **extra,
    )


@pytest.fixture
def units(db):
    return Unit.objects.create(code="BVDK", name="BVĐK"), Unit.objects.create(
        code="CDC", name="CDC"
    )


def test_each_rule(units):
    bvdk, _cdc = units
    every_rule_broken(*units)
    found = {f.code: f for f in check_dossiers([bvdk.pk], 2025)}
    assert_every_rule_found(found)
    # Nothing was changed.
    assert Dossier.objects.get(unit=bvdk, code="due-before").due_on == date(2025, 3, 1)


@pytest.mark.django_db(transaction=True)
def test_the_checks_side_by_side_find_the_same(monkeypatch):
    from parindex.registers import apart

    bvdk = Unit.objects.create(code="BVDK", name="BVĐK")
    every_rule_broken(bvdk, Unit.objects.create(code="CDC", name="CDC"))
    alone = check_dossiers([bvdk.pk], 2025)
    monkeypatch.setattr(apart, "cores", lambda: 2)
    ran = []
    run = apart.on_own_connection
    monkeypatch.setattr(apart, "on_own_connection", lambda call: ran.append(call) or run(call))
    assert check_dossiers([bvdk.pk], 2025) == alone
    assert len(ran) == (3 if connection.vendor == "sqlite" else 0)
    assert_every_rule_found({f.code: f for f in alone})


def every_rule_broken(bvdk, cdc):
    d = date
    good = make(
        bvdk,
        "good",
        d(2025, 3, 3),
        due=d(2025, 3, 10),
        finished=d(2025, 3, 7),
        returned=d(2025, 3, 7),
        time_limit=Decimal(5),
        time_limit_unit="working_days",
    )
    Dossier.objects.bulk_create(
        [
            good,
            make(
                bvdk,
                "due-before",
                d(2025, 3, 3),
                due=d(2025, 3, 1),
                finished=d(2025, 3, 7),
                returned=d(2025, 3, 7),
            ),
            make(
                bvdk,
                "end-before",
                d(2025, 3, 3),
                due=d(2025, 3, 10),
                finished=d(2025, 3, 2),
                returned=d(2025, 3, 3),
            ),
            make(
                bvdk,
                "open-ended",
                d(2025, 3, 3),
                status=4,
                due=d(2025, 3, 10),
                finished=d(2025, 3, 5),
            ),
            make(bvdk, "done-no-end", d(2025, 3, 3), status=9, due=d(2025, 3, 10)),
            make(
                bvdk,
                "returned-no-date",
                d(2025, 3, 3),
                status=10,
                due=d(2025, 3, 10),
                finished=d(2025, 3, 5),
            ),
            make(bvdk, "withdrawn-no-date", d(2025, 3, 3), status=7, due=d(2025, 3, 10)),
            make(
                bvdk,
                "apology-no-date",
                d(2025, 3, 3),
                due=d(2025, 3, 10),
                finished=d(2025, 3, 12),
                returned=d(2025, 3, 12),
                apology=True,
            ),
            # 5 working days from Monday 03/03/2025 is 10/03 (or 11/03 after the close): not 14/03.
            make(
                bvdk,
                "wrong-due",
                d(2025, 3, 3),
                due=d(2025, 3, 14),
                finished=d(2025, 3, 7),
                returned=d(2025, 3, 7),
                time_limit=Decimal(5),
                time_limit_unit="working_days",
            ),
            make(
                bvdk,
                "after-close-due",
                d(2025, 3, 3),
                due=d(2025, 3, 11),
                finished=d(2025, 3, 7),
                returned=d(2025, 3, 7),
                time_limit=Decimal(5),
                time_limit_unit="working_days",
            ),
            make(
                bvdk,
                "shared",
                d(2025, 3, 3),
                due=d(2025, 3, 10),
                finished=d(2025, 3, 7),
                returned=d(2025, 3, 7),
            ),
            make(
                cdc,
                "shared",
                d(2025, 3, 3),
                due=d(2025, 3, 10),
                finished=d(2025, 3, 7),
                returned=d(2025, 3, 7),
            ),
        ]
    )


def assert_every_rule_found(found):
    expected = {
        "due_before_received": "due-before",
        "ended_before_received": "end-before",
        "open_with_end": "open-ended",
        "resolved_without_end": "done-no-end",
        "returned_without_date": "returned-no-date",
        "ended_without_date": "withdrawn-no-date",
        "apology_without_date": "apology-no-date",
        "due_not_calendar": "wrong-due",
        "code_in_other_units": "shared",
    }
    for code, dossier in expected.items():
        assert code in found, code
        assert dossier in {e["dossier"] for e in found[code].examples}, code
    assert found["due_not_calendar"].count == 1  # the one received after the close is fine
    assert found["resolved_without_end"].count == 1
    assert {e["dossier"] for f in found.values() for e in f.examples}.isdisjoint({"good"})
    record = found["due_before_received"].as_dict()
    assert record["count"] == 1 and record["message"] and record["examples"][0]["unit"] == "BVDK"


def test_per_import(units):
    bvdk, _cdc = units
    batch = RegisterImport.objects.create(kind="dossiers", actor="test")
    Dossier.objects.bulk_create(
        [
            make(bvdk, "mine", date(2025, 3, 3), due=date(2025, 3, 1), batch=batch),
            make(bvdk, "other", date(2025, 3, 3), due=date(2025, 3, 1)),
        ]
    )
    found = check_dossiers(batch=batch)
    assert [(f.code, f.count) for f in found if f.code == "due_before_received"] == [
        ("due_before_received", 1)
    ]


def test_a_clean_register_has_no_finding(units):
    bvdk, _cdc = units
    Dossier.objects.bulk_create(
        [
            make(
                bvdk,
                "ok",
                date(2025, 3, 3),
                due=date(2025, 3, 10),
                finished=date(2025, 3, 7),
                returned=date(2025, 3, 7),
            )
        ]
    )
    assert check_dossiers([bvdk.pk], 2025) == []


def test_the_command(units, capsys):
    import json

    from django.core.management import call_command
    from django.core.management.base import CommandError

    bvdk, _cdc = units
    Dossier.objects.bulk_create([make(bvdk, "x", date(2025, 3, 3), status=4, due=date(2025, 3, 1))])
    call_command("registers", "quality", "BVDK", "--year", "2025", "--json")
    found = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["code"], f["count"]) for f in found] == [("due_before_received", 1)]
    call_command("registers", "quality", "--all")
    assert "1 × due date before the reception (BVDK x, …)" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("registers", "quality", "NOPE")


FRAME_SCHEMA = {
    "unit_id": pl.Int64,
    "code": pl.String,
    "status": pl.Int64,
    "received_at": pl.Datetime("us", "UTC"),
    "received_on": pl.Date,
    "due_at": pl.Datetime("us", "UTC"),
    "due_on": pl.Date,
    "finished_at": pl.Datetime("us", "UTC"),
    "returned_at": pl.Datetime("us", "UTC"),
    "ended_at": pl.Datetime("us", "UTC"),
    "apology": pl.Boolean,
    "apology_at": pl.Datetime("us", "UTC"),
    "time_limit": pl.Float64,
    "time_limit_unit": pl.String,
}


def frame_of(rows) -> pl.DataFrame:
    """Stored dossiers as an import holds them before writing (`check_rows`)."""
    values = list(rows.order_by("pk").values(*FRAME_SCHEMA))
    for value in values:
        value["time_limit"] = None if value["time_limit"] is None else float(value["time_limit"])
    return pl.DataFrame(values, schema=FRAME_SCHEMA)


def without_shared(findings):
    return [(f.code, f.count, f.examples) for f in findings if f.code != "code_in_other_units"]


def test_the_rules_read_the_same_in_sql_and_on_an_import(units):
    # Every test is written once (quality.Test); the import reads it in Polars, the pages in SQL.
    bvdk, _cdc = units
    every_rule_broken(*units)
    rows = Dossier.objects.filter(unit=bvdk)
    assert without_shared(check_rows(frame_of(rows))) == without_shared(
        check_dossiers([bvdk.pk], 2025)
    )


INSTANTS = st.one_of(
    st.none(),
    st.datetimes(datetime(2025, 1, 1), datetime(2025, 12, 31)).map(
        lambda moment: moment.replace(second=0, microsecond=0, tzinfo=ZONE)
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    # The units stay; each example deletes the dossiers of the one before.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(Status.values)),
            INSTANTS,
            INSTANTS,
            INSTANTS,
            INSTANTS,
            st.sampled_from([None, True, False]),
            INSTANTS,
            st.sampled_from([None, 0, 1, 5, 7]),
            st.sampled_from(["", "working_days", "days"]),
        ),
        max_size=12,
    )
)
def test_property_the_two_readings_agree(units, dossiers):
    bvdk, _cdc = units
    Dossier.objects.all().delete()
    received = at(date(2025, 3, 3))
    made = []
    for n, (status, due, finished, returned, ended, apology, apology_at, limit, unit) in enumerate(
        dossiers
    ):
        made.append(
            Dossier(
                unit=bvdk,
                year=2025,
                code=f"D{n}",
                procedure_code="1",
                channel=1,
                status=status,
                received_at=received,
                received_on=received.date(),
                due_at=due,
                due_on=due.astimezone(ZONE).date() if due else None,
                finished_at=finished,
                returned_at=returned,
                ended_at=ended,
                ended_on=ended.astimezone(ZONE).date() if ended else None,
                apology=apology,
                apology_at=apology_at,
                time_limit=None if limit is None else Decimal(limit),
                time_limit_unit=unit,
            )
        )
    Dossier.objects.bulk_create(made)
    rows = Dossier.objects.filter(unit=bvdk)
    assert without_shared(check_rows(frame_of(rows))) == without_shared(
        check_dossiers([bvdk.pk], 2025)
    )
