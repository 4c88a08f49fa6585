"""`registers_changed`: sent (after the transaction commits) whenever rows of a register were
written, by any writer. Receivers: the computed inputs of the units' open assessments
(`registers.bindings`). Arguments: `kind` (a RegisterKind value), `unit_ids` (set of ints),
`batch` (the RegisterImport, or None for an edit in the web UI)."""

from django.dispatch import Signal

registers_changed = Signal()


def changed(kind: str, unit_ids, batch=None) -> None:
    """Announce a change once the surrounding transaction (if any) has committed."""
    from django.db import transaction

    ids = set(unit_ids)
    transaction.on_commit(
        lambda: registers_changed.send(sender=None, kind=kind, unit_ids=ids, batch=batch)
    )
