"""Refusals of the assessment actions, shared by every module that writes."""

from __future__ import annotations

from parindex.domain.i18n import Message


class ActionRefused(Exception):
    """The action is not allowed; `message` says why (translated when shown)."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


class Conflict(ActionRefused):
    """Someone else changed the same thing first (optimistic locking)."""
