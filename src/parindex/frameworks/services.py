"""Write operations on frameworks. Views, the API and the CLI call these; nothing else writes."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.domain.framework import RESERVED_CODES, load_framework
from parindex.domain.framework import Framework as DomainFramework
from parindex.domain.problems import Problems
from parindex.frameworks.fileformats import (
    FrameworkFileError,
    read_framework_file,
    to_jsonable,
    write_framework_file,
)
from parindex.frameworks.models import Framework, Node

CREATED, REPLACED, UNCHANGED = "created", "replaced", "unchanged"
RETITLED = "retitled"
OUTCOME_LABELS = {
    CREATED: gettext_lazy("created"),
    REPLACED: gettext_lazy("replaced (draft)"),
    UNCHANGED: gettext_lazy("unchanged"),
    RETITLED: gettext_lazy("input titles updated"),
}
# Parts of a framework that are wording only: they change no score, so a published
# framework may still gain or correct them (e.g. the titles of its named inputs).
WORDING_KEYS = ("inputs",)


class FrameworkRefused(Exception):
    """The file or the operation is refused; `problems` says why, each with its path."""

    def __init__(self, problems: Problems | str):
        if isinstance(problems, str):
            message, problems = problems, Problems()
            problems.error("", "%(text)s", text=message)
        super().__init__("; ".join(str(p) for p in problems.errors))
        self.problems = problems


def validate_file(path: str | Path) -> tuple[DomainFramework | None, Problems]:
    try:
        data = read_framework_file(path)
    except FrameworkFileError as exc:
        return None, exc.problems
    return load_framework(data)


def get_framework(code: str) -> Framework:
    framework = Framework.objects.filter(code=code).first()
    if framework is None:
        raise FrameworkRefused(_("framework “%(code)s” does not exist") % {"code": code})
    return framework


def import_framework(path: str | Path, *, publish: bool = False) -> tuple[Framework, str, Problems]:
    """Import a YAML or XLSX file. Returns the framework, what happened and the warnings."""
    domain, problems = validate_file(path)
    if domain is None:
        raise FrameworkRefused(problems)
    framework, outcome = save_framework(domain, publish=publish)
    return framework, outcome, problems


@transaction.atomic
def save_framework(domain: DomainFramework, *, publish: bool = False) -> tuple[Framework, str]:
    """Create the framework, replace a draft of the same code, or do nothing if identical.

    A published framework never changes: a corrected version is a new framework code. Only
    its wording that changes no score (WORDING_KEYS: the titles of its named inputs) may be
    added or corrected ("retitled").
    """
    document = stored_document(domain)
    framework = Framework.objects.select_for_update().filter(code=domain.code).first()
    if framework is not None and framework.document == document:
        if publish and not framework.is_published:
            publish_framework(framework.code)
            framework.refresh_from_db()
        return framework, UNCHANGED
    if (
        framework is not None
        and framework.is_published
        and _same_scoring(framework.document, document)
    ):
        framework.document = document
        framework.save(update_fields=["document", "updated_at"])
        framework.__dict__.pop("domain", None)
        return framework, RETITLED
    if framework is not None and framework.is_published:
        raise FrameworkRefused(
            _(
                "framework “%(code)s” is published and cannot change; issue the corrected version "
                "under a new code (e.g. %(code)s-v2)"
            )
            % {"code": domain.code}
        )
    if framework is not None:
        _refuse_orphaned_scores(framework, domain)
        outcome = REPLACED
        framework.nodes.all().delete()
    else:
        framework = Framework(code=domain.code)
        outcome = CREATED
    framework.title = domain.title
    framework.year = domain.year
    framework.previous_code = domain.previous or ""
    framework.document = document
    if publish:
        framework.status = Framework.Status.PUBLISHED
        framework.published_at = timezone.now()
    framework.save()
    framework.__dict__.pop("domain", None)
    _create_nodes(framework, domain)
    return framework, outcome


def stored_document(domain: DomainFramework) -> dict:
    """The canonical form as the database keeps it. The `inputs:` mapping is stored as a list
    of {name, title, unit}: its order is the order people fill the figures in, and a JSON
    column (PostgreSQL's jsonb) does not keep the order of an object's keys."""
    document = to_jsonable(domain.to_dict())
    if "inputs" in document:
        document["inputs"] = [{"name": name, **item} for name, item in document["inputs"].items()]
    return document


def _same_scoring(old: dict, new: dict) -> bool:
    """Whether two documents differ in wording only (WORDING_KEYS), never in what scores."""

    def scoring(document: dict) -> dict:
        return {key: value for key, value in document.items() if key not in WORDING_KEYS}

    return scoring(old) == scoring(new)


def _refuse_orphaned_scores(framework: Framework, domain: DomainFramework) -> None:
    known = set(domain.node_map()) | set(domain.inputs()) | set(RESERVED_CODES)
    used = set(framework.entries.values_list("key", flat=True).distinct())
    orphaned = sorted(used - known)
    if orphaned:
        raise FrameworkRefused(
            _(
                "the new version drops %(codes)s, which already have scores; keep them or delete "
                "those scores first"
            )
            % {"codes": ", ".join(orphaned)}
        )


def _create_nodes(framework: Framework, domain: DomainFramework) -> None:
    """One INSERT per tree level: parents get their ids before their children are written."""
    level = [(node, None) for node in domain.nodes]
    position, depth = 0, 0
    while level:
        rows = []
        for node, parent in level:
            position += 1
            rows.append(
                Node(
                    framework=framework,
                    parent=parent,
                    code=node.code,
                    title=node.title,
                    position=position,
                    depth=depth,
                    max_points=node.effective_max,
                    kind=node.effective_kind,
                    is_leaf=node.is_leaf,
                    rule_type=node.effective_rule.TYPE if node.is_leaf else "",
                )
            )
        created = Node.objects.bulk_create(rows)
        level = [
            (child, row)
            for (node, _parent), row in zip(level, created, strict=True)
            for child in node.children
        ]
        depth += 1


def publish_framework(code: str) -> Framework:
    framework = get_framework(code)
    if not framework.is_published:
        framework.status = Framework.Status.PUBLISHED
        framework.published_at = timezone.now()
        framework.save(update_fields=["status", "published_at", "updated_at"])
    return framework


def export_framework(code: str, path: str | Path) -> Framework:
    framework = get_framework(code)
    suffix = Path(path).suffix.lower()
    if suffix not in (".yaml", ".yml", ".xlsx"):
        raise FrameworkRefused(_("a framework file is .yaml, .yml or .xlsx"))
    from xlsxwriter.exceptions import FileCreateError

    try:
        write_framework_file(framework.domain, path)
    except (OSError, FileCreateError) as exc:
        # xlsxwriter wraps the OSError (a missing folder, no permission) in FileCreateError.
        cause = exc.args[0] if isinstance(exc, FileCreateError) and exc.args else exc
        reason = getattr(cause, "strerror", None) or str(cause)
        raise FrameworkRefused(
            _("cannot write %(path)s: %(reason)s") % {"path": path, "reason": reason}
        ) from None
    return framework
