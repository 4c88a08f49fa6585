"""The facts of a dossier that its own row decides, whatever the period: online, by post,
returned by post, apology in time, digitised, fee payable … — one bit each of the stored
`Dossier.facts`.

The counts of a period read that one column instead of testing ten conditions on each of a
million rows (`registers.indicators`), and the lists behind the numbers test the same bits.
The import works the bits out in Polars on the file's rows, as it checks them (a million rows
in hundredths of a second; the same in SQL as the rows are inserted would keep the inserting
core busy for a second). Each fact is therefore stated twice, side by side in `FACTS`: the
Polars expression of the import and the condition in SQL that says the same thing, which sets
the bits of rows written another way (`refresh`: the migration that added the column, tests
that create rows directly). The test suite holds the two to agree on every kind of row.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.lookups import Exact

from parindex.registers.models import Channel, ReturnMethod

# A rating the 766 satisfaction index counts against the unit (danh_gia_hai_long).
DISLIKED = ("không hài lòng", "Không hài lòng", "KHÔNG HÀI LÒNG", "khong hai long", "unsatisfied")


def _true(name: str) -> pl.Expr:
    return pl.col(name).fill_null(False)


def _postal_any() -> pl.Expr:
    return (pl.col("channel") == Channel.POSTAL) | (pl.col("return_method") == ReturnMethod.POSTAL)


def _apology_in_time() -> pl.Expr:
    at, due = pl.col("apology_at"), pl.col("due_at")
    return _true("apology") & (at.is_null() | due.is_null() | (at <= due))


# name: (SQL condition, Polars expression on the table's columns). In bit order: append only,
# since the bits are stored (a change of meaning needs a migration that refreshes them).
FACTS: dict[str, tuple[Q, Callable[[], pl.Expr]]] = {
    "online": (Q(channel=Channel.ONLINE), lambda: pl.col("channel") == Channel.ONLINE),
    "postal_channel": (Q(channel=Channel.POSTAL), lambda: pl.col("channel") == Channel.POSTAL),
    "postal_any": (Q(channel=Channel.POSTAL) | Q(return_method=ReturnMethod.POSTAL), _postal_any),
    "return_postal": (
        Q(return_method=ReturnMethod.POSTAL),
        lambda: pl.col("return_method") == ReturnMethod.POSTAL,
    ),
    "apology_in_time": (
        Q(apology=True)
        & (Q(apology_at__isnull=True) | Q(due_at__isnull=True) | Q(apology_at__lte=F("due_at"))),
        _apology_in_time,
    ),
    "digitised": (Q(digitised=True), lambda: _true("digitised")),
    "electronic": (Q(electronic_result=True), lambda: _true("electronic_result")),
    "fee_payable": (
        Q(fee__gt=0) & ~Q(fee_exempt=True),
        lambda: (pl.col("fee") > 0) & ~_true("fee_exempt"),
    ),
    "paid_online": (Q(paid_online=True), lambda: _true("paid_online")),
    "disliked": (Q(satisfaction__in=DISLIKED), lambda: pl.col("satisfaction").is_in(DISLIKED)),
}


def bit(name: str) -> int:
    return 1 << list(FACTS).index(name)


def has(name: str) -> Q:
    """The dossiers whose stored facts include `name`."""
    return Q(Exact(F("facts").bitand(bit(name)), bit(name)))


def of_frame() -> pl.Expr:
    """The facts of each row of a frame with the table's columns (a null is not a fact)."""
    return pl.sum_horizontal(
        pl.when(expression().fill_null(False)).then(bit(name)).otherwise(0)
        for name, (_condition, expression) in FACTS.items()
    ).cast(pl.Int64)


def sql_expression():
    """The facts of a row as SQL, from the conditions."""
    total = Value(0, output_field=IntegerField())
    for name, (condition, _expression) in FACTS.items():
        total += Case(
            When(condition, then=Value(bit(name))), default=Value(0), output_field=IntegerField()
        )
    return total


def refresh(queryset) -> int:
    """Set the facts of `queryset`'s dossiers from their columns (rows written other than by
    the import); returns how many."""
    return queryset.update(facts=sql_expression())
