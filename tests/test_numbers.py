import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parindex.domain.numbers import (
    NumberError,
    format_number,
    format_percent,
    parse_decimal,
    plain,
    quantize,
)


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


# --- any finite Decimal, however large or small: exact, never an exception ----------------


def _decimal(sign, coefficient, exponent):
    return Decimal((sign, tuple(int(d) for d in str(coefficient)), exponent))


def _rounded(value: Decimal, places: int = 3) -> Fraction:
    """Half-up rounding to `places` decimals, computed on fractions: the oracle."""
    scaled = abs(Fraction(value)) * 10**places
    whole = math.floor(scaled + Fraction(1, 2))
    return Fraction(-whole if value < 0 else whole, 10**places)


def _read_back(text: str) -> Decimal:
    return parse_decimal(text, integer="," not in text)


wide = st.builds(
    _decimal,
    st.integers(0, 1),
    st.integers(0, 10**80),
    st.integers(-2000, 2000),
)
huge = st.builds(
    _decimal,
    st.integers(0, 1),
    st.integers(0, 10**40),
    st.integers(-(10**18) + 100, 10**18 - 100),
)


@given(st.one_of(wide, st.decimals(allow_nan=False, allow_infinity=False)))
def test_any_finite_decimal_is_rounded_and_written_exactly(value):
    assert quantize(value) == _rounded(value)
    text = format_number(value, trim=False)
    assert _read_back(text) == _rounded(value)
    assert _read_back(format_number(value)) == _rounded(value)
    assert parse_decimal(plain(value)) == value


@given(huge)
def test_absurd_exponents_are_still_written(value):
    text = format_number(value)
    assert len(text) < 50 or "E+" not in text
    if "E+" not in text:
        assert _read_back(text) == quantize(value)


def test_the_28_digit_context_is_not_a_limit():
    assert format_number(Decimal("9" * 30)) == ".".join(["999"] * 10)
    assert format_number(Decimal("9" * 5000 + ".9995")) == "100" + ".000" * 1666
    assert format_number(Decimal("-0.0004"), trim=False) == "0,000"
    assert format_number(Decimal("9.9995E+1000000")) == "1E+1000001"
    assert format_number(Decimal("-1.23456E+999999999999")) == "-1,235E+999999999999"
    assert quantize(Decimal("1E-999999999999999999")) == 0
    assert parse_decimal("-" + "1" * 40) == Decimal("-" + "1" * 40)
    assert parse_decimal("1" * 40 + "%") == Decimal("1" * 38 + ".11")


absurd_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="0123456789.,-+%eE \u2212", max_size=40),
    st.sampled_from(
        [
            "1e999999",
            "1E-999999",
            "NaN",
            "nan",
            "sNaN",
            "Infinity",
            "-Infinity",
            "inf",
            "-0",
            "+0",
            "0,000",
            "−0,0",
            "1" * 10_000,
            "9" * 10_000 + ",5",
            "1" * 10_000 + "%",
            "1." + "0" * 9_999,
            "\u0661\u0662",
            "\u00b2",
            "%",
            "-",
            "-%",
        ]
    ),
)


@given(absurd_text, st.booleans(), st.booleans())
def test_any_text_is_a_finite_number_or_a_number_error(text, integer, percent):
    try:
        result = parse_decimal(text, integer=integer, percent=percent)
    except NumberError:
        return
    assert isinstance(result, Decimal) and result.is_finite()
    if integer:
        assert result == result.to_integral_value()


@given(st.one_of(st.floats(), st.integers(), st.decimals(), st.booleans(), st.none()))
def test_any_typed_value_is_a_finite_number_or_a_number_error(value):
    try:
        result = parse_decimal(value)
    except NumberError:
        return
    assert isinstance(result, Decimal) and result.is_finite()
