"""Properties of the indicators over random registers: every counted dossier is in exactly
one class, the 06a sums hold (received = resolved + pending), the rates stay within [0, 1],
and each list behind a number has exactly that many dossiers — whatever the dates, statuses,
channels and options."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parindex.domain import indicators as ind
from parindex.registers.indicators import compute, dossiers_in
from parindex.registers.models import Dossier
from parindex.units.models import Unit

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
START, END = date(2025, 3, 1), date(2025, 5, 31)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 8, 31))

dossier = st.fixed_dictionaries(
    {
        "received": days,
        "due_after": st.one_of(st.none(), st.integers(min_value=-3, max_value=40)),
        "end_after": st.one_of(st.none(), st.integers(min_value=-2, max_value=60)),
        "status": st.integers(min_value=1, max_value=10),
        "channel": st.integers(min_value=1, max_value=3),
        "supplements": st.integers(min_value=0, max_value=3),
        "apology": st.sampled_from([None, True, False]),
    }
)
options = st.builds(
    ind.Options,
    compare=st.sampled_from(["date", "datetime"]),
    early_includes_due=st.booleans(),
    withdrawn_on_time=st.booleans(),
    supplements_over_one_late=st.booleans(),
)


def at(day, hour):
    return datetime.combine(day, time(hour), tzinfo=ZONE)


def build(unit, n, spec):
    received = spec["received"]
    due = received + timedelta(days=spec["due_after"]) if spec["due_after"] is not None else None
    ended = None
    if spec["status"] in (7, 8, 9, 10) and spec["end_after"] is not None:
        ended = received + timedelta(days=max(0, spec["end_after"]))
    return Dossier(
        unit=unit,
        year=received.year,
        code=f"D{n}",
        procedure_code="1.0",
        channel=spec["channel"],
        status=spec["status"],
        received_at=at(received, 9),
        received_on=received,
        due_at=at(due, 17) if due else None,
        due_on=due,
        finished_at=at(ended, 15) if ended else None,
        ended_at=at(ended, 15) if ended else None,
        ended_on=ended,
        supplement_count=spec["supplements"],
        apology=spec["apology"],
    )


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(dossier, min_size=1, max_size=30), options)
def test_every_dossier_in_one_class_and_the_sums_hold(specs, choice):
    Dossier.objects.all().delete()
    unit, _ = Unit.objects.get_or_create(code="P", defaults={"name": "P"})
    Dossier.objects.bulk_create([build(unit, n, spec) for n, spec in enumerate(specs)])
    result = compute([unit], START, END, choice)[unit.pk]
    # Exactly one class for each dossier that counts.
    seen: dict[str, str] = {}
    for cls in ind.CLASSES:
        for code in dossiers_in(unit, START, END, cls, choice).values_list("code", flat=True):
            assert code not in seen, (code, seen.get(code), cls)
            seen[code] = cls
    counted = dossiers_in(unit, START, END, "received_total", choice).count()
    assert len(seen) == counted
    table = result.table_06a
    withdrawn = result.counts[ind.DOSSIERS].get(ind.WITHDRAWN, 0)
    extra = 0 if choice.withdrawn_on_time else withdrawn
    assert table["col3"] == table["col7"] + table["col11"] + extra == counted
    assert table["col3"] == table["col4"] + table["col5"] + table["col6"]
    # The lists behind the numbers have that many dossiers.
    for column, name in ind.COLUMN_CLASSES.items():
        assert dossiers_in(unit, START, END, name, choice).count() == table[column], column
    for name, figure in result.figures.items():
        if figure.value is not None and ind.INDICATORS[name].kind == ind.RATIO:
            assert 0 <= figure.value <= 1, name
            assert figure.numerator <= figure.denominator, name
