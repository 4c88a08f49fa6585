"""People's names, in the Vietnamese order.

A Vietnamese full name is written family name, middle name(s), given name: "Nguyễn Thị Hoa".
Django's user keeps two fields; we store the given name (tên, the last word, by which lists
are sorted) in `first_name` and the family and middle names (họ và tên đệm) in `last_name`,
and people see and type one "Họ và tên" field. Django's own `get_full_name` would print
"Hoa Nguyễn Thị": never use it for display.
"""

from __future__ import annotations


def split_full_name(text: str) -> tuple[str, str]:
    """ "Nguyễn Thị Hoa" → ("Nguyễn Thị", "Hoa"): (last_name, first_name) of Django's user."""
    words = " ".join(str(text or "").split())
    family, _, given = words.rpartition(" ")
    return family, given


def full_name(user) -> str:
    """The person's full name in the Vietnamese order, else their user name; "" for nobody."""
    if user is None:
        return ""
    name = " ".join(part for part in (user.last_name.strip(), user.first_name.strip()) if part)
    return name or user.get_username()
