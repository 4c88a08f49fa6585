from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parindex.domain.numbers import NumberError, format_number, format_percent, parse_decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,5", "1.5"),
        ("1.5", "1.5"),
        ("92,125", "92.125"),
        ("92.125", "92.125"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("−0,7", "-0.7"),
        ("-0.25", "-0.25"),
        ("12,5%", "0.125"),
        ("100%", "1"),
        (" 3 ", "3"),
        ("1 234,5", "1234.5"),
    ],
)
def test_it_reads_both_conventions(text, expected):
    assert parse_decimal(text) == Decimal(expected)


def test_a_dotted_count_is_thousands():
    assert parse_decimal("3.105", integer=True) == 3105
    assert parse_decimal("1.234.567", integer=True) == 1234567
    assert parse_decimal("3,105", integer=True) == 3105  # English grouping, in a count
    assert parse_decimal("3.105") == Decimal("3.105")


@pytest.mark.parametrize("text", ["abc", "1,2,3", "1.2.3,4,5", "", "1e5", "nan", "--1", "1,5,"])
def test_it_rejects_what_is_not_a_number(text):
    with pytest.raises(NumberError):
        parse_decimal(text)


def test_counts_must_be_whole_and_not_percentages():
    with pytest.raises(NumberError):
        parse_decimal("1,5", integer=True)
    with pytest.raises(NumberError):
        parse_decimal("10%", integer=True)


def test_spreadsheet_floats_are_exact():
    assert parse_decimal(0.1) == Decimal("0.1")
    assert parse_decimal(2.991) == Decimal("2.991")
    with pytest.raises(NumberError):
        parse_decimal(True)
    with pytest.raises(NumberError):
        parse_decimal(float("inf"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("92.125", "92,125"),
        ("87.5", "87,5"),
        ("3105", "3.105"),
        ("-0.7", "-0,7"),
        ("100", "100"),
        ("2.9905", "2,991"),
        ("0.0004", "0"),
        ("1234567.5", "1.234.567,5"),
    ],
)
def test_it_writes_the_vietnamese_way(value, expected):
    assert format_number(Decimal(value)) == expected


def test_percentages():
    assert format_percent(Decimal("98.75")) == "98,75%"


points = st.decimals(min_value=-999, max_value=999, places=3, allow_nan=False, allow_infinity=False)
large = st.decimals(
    min_value=-(10**9), max_value=10**9, places=3, allow_nan=False, allow_infinity=False
)


@given(points)
def test_written_points_read_back(value):
    assert parse_decimal(format_number(value)) == value


@given(st.integers(min_value=0, max_value=10**12))
def test_written_counts_read_back(value):
    assert parse_decimal(format_number(value), integer=True) == value


@given(large)
def test_written_numbers_read_back_unless_the_one_ambiguous_shape(value):
    # "1.675" is 1,675 points or 1.675 dossiers: the context decides (see parse_decimal).
    text = format_number(value)
    if "," in text or "." not in text:
        assert parse_decimal(text) == value
    else:
        assert parse_decimal(text, integer=True) == value


def test_a_leading_zero_never_starts_a_thousands_group():
    with pytest.raises(NumberError):
        parse_decimal("0.125", integer=True)
    assert parse_decimal("0.125") == Decimal("0.125")
    assert parse_decimal("0,125") == Decimal("0.125")
