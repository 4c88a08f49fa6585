"""Translatable messages from pure code.

The domain layer must not import Django, yet its messages reach users. It marks them with
`gettext_noop` (picked up by `makemessages`) and carries the parameters separately; the Django
layer translates the message id and interpolates when it renders (see `parindex.messages`).
"""

from dataclasses import dataclass, field
from typing import Any


def gettext_noop(message: str) -> str:
    return message


@dataclass(frozen=True)
class Message:
    """A message id plus its named parameters, translated only when shown."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def render(self, translate=None) -> str:
        text = translate(self.msgid) if translate else self.msgid
        if not self.params:
            return text
        # Nested messages (a reason inside a message) are translated too.
        params = {key: _render_param(value, translate) for key, value in self.params.items()}
        return text % params

    def __str__(self) -> str:
        return self.render()


def _render_param(value, translate):
    """Nested messages are translated too; a tuple of them is joined with " + " (the parts of
    a rule), a list with "; " (a list of problems)."""
    if isinstance(value, Message):
        return value.render(translate)
    if isinstance(value, list) and all(isinstance(v, Message) for v in value):
        return "; ".join(v.render(translate) for v in value)
    if isinstance(value, tuple) and value and all(isinstance(v, Message) for v in value):
        return " + ".join(v.render(translate) for v in value)
    return value
