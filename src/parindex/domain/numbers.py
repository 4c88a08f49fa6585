"""Numbers the Vietnamese way: exact `Decimal`s in, standard Vietnamese text out.

Output follows the standard convention (decimal comma, dot for thousands): "92,125", "3.105",
"87,5". Real documents mix both conventions, so the readers accept either, and use the context
(points, a count) to settle the one ambiguous shape, "3.105".
"""

import math
import re
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, InvalidOperation

from parindex.domain.i18n import gettext_noop as N_

# Results are shown, exported and compared at this many decimals (3, as published).
DISPLAY_PLACES = 3
# Every finite Decimal is rounded and shown exactly, computing in a local context as precise
# as the number needs (the default context keeps 28 digits). Only a number with a million
# digits or more before the point is shown in scientific notation ("9,99E+1000000"): its
# digits would not fit in a page (nothing produces one; this is a guard, not a format).
MAX_PLAIN_DIGITS = 1_000_000

_MINUS_SIGNS = "\u2212\u2013"  # typographic minus, en dash: both appear in pasted documents
_SPACES = " \u00a0\u202f\u2009"
_GROUPED_DOT = re.compile(r"^[1-9]\d{0,2}(\.\d{3})+$")
_GROUPED_COMMA = re.compile(r"^[1-9]\d{0,2}(,\d{3})+$")
_PLAIN = re.compile(r"^\d+([.,]\d+)?$")

_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN)


def _exact(digits: int) -> Context:
    """A decimal context in which a result of `digits` significant digits is exact."""
    if digits <= _CONTEXT.prec:
        return _CONTEXT
    return Context(prec=digits, rounding=ROUND_HALF_UP, Emax=MAX_EMAX, Emin=MIN_EMIN)


class NumberError(ValueError):
    """A value that is not a number in the expected form; `message` explains why."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.msgid = message
        self.params = params


def to_decimal(value) -> Decimal:
    """Exact conversion of an already-typed number (int, float from a spreadsheet, Decimal).

    Floats go through `repr`, the shortest string that round-trips, so a cell holding 0.1
    becomes Decimal("0.1"), not 0.1000000000000000055….
    """
    if isinstance(value, bool):
        raise NumberError(N_("a yes/no value is not a number"))
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise NumberError(N_("not a finite number"))
        result = Decimal(repr(value))
    else:
        raise NumberError(N_("not a number"))
    if not result.is_finite():
        raise NumberError(N_("not a finite number"))
    return result


def parse_decimal(raw, *, integer: bool = False, percent: bool = True) -> Decimal:
    """Read a number typed by a person or stored in a file.

    Accepts "1,5", "1.5", "1.234,5", "1,234.5", "−0,7", "12,5%" (→ 0.125 when `percent`).
    With `integer=True` (counts of dossiers, reports …) "3.105" and "3,105" mean three thousand
    one hundred and five and the result must be whole; otherwise "3.105" is three point one
    zero five, the way points are written in published results ("92.125/100"), and "3,105" the
    same with the Vietnamese decimal comma.
    """
    if not isinstance(raw, str):
        result = to_decimal(raw)
        if integer and result != result.to_integral_value():
            raise NumberError(N_("must be a whole number"))
        return result
    text = raw.strip()
    for space in _SPACES:
        text = text.replace(space, "")
    if not text:
        raise NumberError(N_("empty"))
    negative = False
    if text[0] in "+-" + _MINUS_SIGNS:
        negative = text[0] != "+"
        text = text[1:]
    is_percent = text.endswith("%")
    if is_percent:
        if not percent or integer:
            raise NumberError(N_("a percentage is not allowed here"))
        text = text[:-1]
    digits = _normalise_separators(text, integer=integer)
    try:
        result = Decimal(digits)
    except InvalidOperation:
        raise NumberError(N_("“%(text)s” is not a number"), text=raw.strip()) from None
    if not result.is_finite():  # Decimal() reads more than _normalise_separators lets through
        raise NumberError(N_("“%(text)s” is not a number"), text=raw.strip())
    if negative:
        result = result.copy_negate()  # exact, whatever the number of digits
    if is_percent:
        result = _exact(len(result.as_tuple().digits) + 3).divide(result, 100)
    if integer and result != result.to_integral_value():
        raise NumberError(N_("must be a whole number"))
    return result


def _normalise_separators(text: str, *, integer: bool) -> str:
    has_dot, has_comma = "." in text, "," in text
    if has_dot and has_comma:
        # The separator that comes last is the decimal one; the other groups thousands.
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        group_sep = "." if decimal_sep == "," else ","
        whole, _, fraction = text.rpartition(decimal_sep)
        pattern = _GROUPED_DOT if group_sep == "." else _GROUPED_COMMA
        if not pattern.match(whole) or not fraction.isdigit():
            raise NumberError(N_("“%(text)s” is not a number"), text=text)
        return whole.replace(group_sep, "") + "." + fraction
    if has_dot or has_comma:
        sep = "." if has_dot else ","
        grouped = _GROUPED_DOT if has_dot else _GROUPED_COMMA
        if text.count(sep) > 1:
            if not grouped.match(text):
                raise NumberError(N_("“%(text)s” is not a number"), text=text)
            return text.replace(sep, "")
        # One separator: a thousands separator only where a whole number is expected.
        if integer and grouped.match(text):
            return text.replace(sep, "")
        if not _PLAIN.match(text):
            raise NumberError(N_("“%(text)s” is not a number"), text=text)
        return text.replace(",", ".")
    if not text.isdigit():
        raise NumberError(N_("“%(text)s” is not a number"), text=text)
    return text


def quantize(value: Decimal, places: int = DISPLAY_PLACES) -> Decimal:
    """Round half up (the school and office rule) to `places` decimals.

    Exact for every finite Decimal, however many digits it has. A whole number of
    MAX_PLAIN_DIGITS digits or more, which has nothing to round, is returned as it is.
    """
    value = to_decimal(value)
    exponent = value.as_tuple().exponent
    if exponent >= -places and value.adjusted() >= MAX_PLAIN_DIGITS:
        return value
    context = _exact(value.adjusted() + places + 2)
    return value.quantize(Decimal((0, (1,), -places)), context=context)


def plain(value: Decimal) -> str:
    """A Decimal as plain digits without exponent or trailing zeros: "11.5", "2", "-0.25"."""
    text = format(value.normalize(_exact(len(value.as_tuple().digits))), "f")
    return "0" if text in ("-0", "") else text


def format_number(value, places: int = DISPLAY_PLACES, *, trim: bool = True) -> str:
    """Vietnamese display: "92,125", "87,5", "3.105", "-0,7".

    Rounds half up to `places`; with `trim`, drops trailing zeros ("87,500" → "87,5").
    """
    if value is None:
        return ""
    number = quantize(to_decimal(value), places)
    if number.adjusted() >= MAX_PLAIN_DIGITS:
        return _scientific(number, places, trim=trim)
    sign = "-" if number < 0 else ""
    whole, _, fraction = format(number.copy_abs(), "f").partition(".")
    if trim:
        fraction = fraction.rstrip("0")
    text = _group(whole) + ("," + fraction if fraction else "")
    return "0" if text == "0" else sign + text


def _group(whole: str) -> str:
    """Thousands separated by dots, on the digits (int() refuses more than 4 300 digits)."""
    head = len(whole) % 3 or 3
    return ".".join([whole[:head], *(whole[i : i + 3] for i in range(head, len(whole), 3))])


def _scientific(number: Decimal, places: int, *, trim: bool) -> str:
    """ "9,99E+1000000": `places` decimals of the mantissa, rounded half up on the digits."""
    sign, digits, _ = number.as_tuple()
    exponent = number.adjusted()
    keep = places + 1
    head = int("".join(map(str, digits[:keep])))
    if len(digits) > keep and digits[keep] >= 5:
        head += 1
        if len(str(head)) > keep:  # 9,999… rounded up to 10,000…
            head //= 10
            exponent += 1
    text = str(head)
    fraction = text[1:] if trim else text[1:].ljust(places, "0")
    if trim:
        fraction = fraction.rstrip("0")
    mantissa = text[0] + ("," + fraction if fraction else "")
    return ("-" if sign else "") + mantissa + "E+" + str(exponent)


def format_percent(value, places: int = 2) -> str:
    """A percentage already scaled to 0–100: "98,75%"."""
    if value is None:
        return ""
    return format_number(value, places) + "%"
