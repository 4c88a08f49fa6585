"""People and their roles, managed by the CCHC officer without the Django admin."""

from __future__ import annotations

urls: list = []
