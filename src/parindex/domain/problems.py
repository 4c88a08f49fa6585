"""Problems found in a file, each with where it is and why it is wrong."""

from dataclasses import dataclass, field
from typing import Any

from parindex.domain.i18n import Message

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One problem. `path` names the place: a node path (`1 › 1.2 › rule.threshold`) or a
    framework key; `row`/`column` are filled for tabular files."""

    path: str
    message: Message
    severity: str = ERROR
    row: int | None = None
    column: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Problems:
    """A collector that paths and message ids pass through; keeps the order of discovery."""

    items: list[Problem] = field(default_factory=list)

    def error(self, path: str, msgid: str, **params: Any) -> None:
        self.items.append(Problem(path, Message(msgid, params)))

    def warning(self, path: str, msgid: str, **params: Any) -> None:
        self.items.append(Problem(path, Message(msgid, params), WARNING))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if not p.is_error]

    def __bool__(self) -> bool:
        return bool(self.items)


def join_path(*parts: str) -> str:
    return " › ".join(p for p in parts if p)
