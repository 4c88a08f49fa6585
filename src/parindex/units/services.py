"""Importing units and peer groups (CSV/XLSX: code, name, parent, group)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.tables import Row, RowProblem, TableError, read_table
from parindex.units.models import UNIT_CODE, UNIT_CODE_RULE, PeerGroup, Unit

UNIT_COLUMNS = {
    "code": ("mã", "mã đơn vị", "ma"),
    "name": ("tên", "tên đơn vị", "ten"),
    "parent": ("đơn vị cha", "mã đơn vị cha", "cha", "don vi cha"),
    "group": ("nhóm", "nhóm so sánh", "nhom"),
    "group_name": ("tên nhóm", "ten nhom"),
}


# A province has hundreds of units; a file with more rows than this is a mistake.
MAX_UNIT_ROWS = 10_000


@dataclass
class UnitsReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    groups_created: int = 0


def _text(row: Row, column: str) -> str:
    value = row.get(column)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def import_units(path: str | Path) -> UnitsReport:
    return import_unit_rows(
        read_table(path, UNIT_COLUMNS, ("code", "name"), max_rows=MAX_UNIT_ROWS)
    )


@transaction.atomic
def import_unit_rows(rows: list[Row]) -> UnitsReport:
    """Create or update units and their peer groups; all or nothing, idempotent."""
    problems: list[RowProblem] = []

    def refuse(row: Row, column: str, msgid: str, /, **params):
        problems.append(RowProblem(row.number, column, Message(msgid, params)))

    existing = {unit.code: unit for unit in Unit.objects.select_related("parent", "group")}
    seen: dict[str, int] = {}
    wanted: dict[str, dict] = {}
    for row in rows:
        code, name = _text(row, "code"), _text(row, "name")
        if not code:
            refuse(row, "code", N_("a unit needs a code"))
            continue
        if len(code) > 50:
            refuse(row, "code", N_("at most %(count)s characters"), count=50)
            continue
        if not UNIT_CODE.match(code):
            refuse(row, "code", UNIT_CODE_RULE)
            continue
        if code in seen:
            refuse(
                row,
                "code",
                N_("“%(code)s” already appears on row %(other)s"),
                code=code,
                other=seen[code],
            )
            continue
        seen[code] = row.number
        if not name:
            refuse(row, "name", N_("a unit needs a name"))
        elif len(name) > 300:
            refuse(row, "name", N_("at most %(count)s characters"), count=300)
        group = _text(row, "group")
        if group and (not _is_slug(group) or len(group) > 50):
            refuse(
                row,
                "group",
                N_("a group code is letters, digits, dashes or underscores, e.g. so-nganh"),
            )
        wanted[code] = {
            "row": row,
            "name": name,
            "parent": _text(row, "parent"),
            "group": group,
            "group_name": _text(row, "group_name"),
        }

    for code, item in wanted.items():
        parent = item["parent"]
        if parent and parent not in wanted and parent not in existing:
            refuse(
                item["row"],
                "parent",
                N_("parent unit “%(code)s” is neither in the file nor in the database"),
                code=parent,
            )
        elif parent == code:
            refuse(item["row"], "parent", N_("a unit cannot be its own parent"))

    def parent_of(code: str) -> str:
        if code in wanted:
            return wanted[code]["parent"]
        unit = existing.get(code)
        return unit.parent.code if unit and unit.parent else ""

    for code, item in wanted.items():
        chain, current = {code}, parent_of(code)
        while current:
            if current in chain:
                refuse(
                    item["row"],
                    "parent",
                    N_("the parent chain loops back to “%(code)s”"),
                    code=code,
                )
                break
            chain.add(current)
            current = parent_of(current)
    if problems:
        raise TableError(problems)

    report = UnitsReport()
    groups = {group.code: group for group in PeerGroup.objects.all()}
    for item in wanted.values():
        code = item["group"]
        if not code:
            continue
        group = groups.get(code)
        name = item["group_name"] or (group.name if group else code)
        if group is None:
            groups[code] = PeerGroup.objects.create(code=code, name=name)
            report.groups_created += 1
        elif item["group_name"] and group.name != name:
            group.name = name
            group.save(update_fields=["name"])

    # Create or update without parents first, then link parents (a parent may come later).
    units = dict(existing)
    for code, item in wanted.items():
        group = groups.get(item["group"]) if item["group"] else None
        unit = units.get(code)
        if unit is None:
            units[code] = Unit.objects.create(code=code, name=item["name"], group=group)
            report.created += 1
            item["new"] = True
        elif unit.name != item["name"] or unit.group_id != (group.id if group else None):
            unit.name, unit.group = item["name"], group
            unit.save(update_fields=["name", "group"])
            item["changed"] = True
    for code, item in wanted.items():
        unit = units[code]
        parent = units.get(item["parent"]) if item["parent"] else None
        if unit.parent_id != (parent.id if parent else None):
            unit.parent = parent
            unit.save(update_fields=["parent"])
            item["changed"] = True
        if not item.get("new"):
            if item.get("changed"):
                report.updated += 1
            else:
                report.unchanged += 1
    return report


def _is_slug(text: str) -> bool:
    return all(ch.isascii() and (ch.isalnum() or ch in "-_") for ch in text)
