"""`parindex plan draft|list|export`: a unit's remediation plan after its published results."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parindex.assessments.errors import ActionRefused
from parindex.assessments.management.commands.scores import login_name
from parindex.commands import (
    NEED,
    NO_DATABASE,
    ParindexCommand,
    emit_json,
    get_framework_or_refuse,
    get_unit_or_refuse,
    table,
)
from parindex.domain import plans as rules
from parindex.domain.numbers import format_number
from parindex.messages import render
from parindex.plans.models import RemediationPlan
from parindex.plans.services import Actor, completion, draft, plan_items, plan_json


class Command(ParindexCommand):
    help = gettext_lazy(
        "A unit's remediation plan after its published results: draft it from the loss "
        "analysis (one item per lost point), list the plans and their items, export a plan "
        "to Excel. The plan is edited and approved on the web."
    )
    summary = gettext_lazy("Remediation plans: draft from the lost points, list, export")
    database_use = {None: NO_DATABASE, "draft": NEED, "list": NEED, "export": NEED}

    def add_arguments(self, parser):
        actions = self.add_actions(parser)
        new = self.add_action(
            actions,
            "draft",
            _(
                "Draft the plan from the loss analysis; again: adds the items of new losses "
                "and changes nothing else."
            ),
        )
        self.add_framework(new)
        self._unit(new, required=True)
        new.add_argument(
            "--by",
            metavar=_("NAME"),
            help=_("Who drafts the plan (for the audit trail); default: the login name."),
        )
        show = self.add_action(
            actions, "list", _("The plans (with --unit and --framework: one plan's items).")
        )
        self.add_framework(show, required=False)
        self._unit(show, required=False)
        self.add_json(show)
        out = self.add_action(actions, "export", _("Export a plan to an Excel workbook."))
        self.add_framework(out)
        self._unit(out, required=True)
        out.add_argument(
            "-o",
            "--output",
            required=True,
            metavar=_("FILE"),
            help=_("the workbook to write (.xlsx)"),
        )

    @staticmethod
    def _unit(parser, required):
        parser.add_argument(
            "--unit", required=required, metavar=_("CODE"), help=_("the unit, by its code")
        )

    def handle(self, *args, **options):
        self.handle_action(options, "plan")

    def handle_draft(self, framework, unit, by=None, **options):
        model, unit_model = get_framework_or_refuse(framework), get_unit_or_refuse(unit)
        try:
            plan, added = draft(Actor.terminal(by or login_name()), model, unit_model)
        except ActionRefused as exc:
            raise CommandError(render(exc.message)) from None
        total = plan.items.count()
        self.stdout.write(
            _("%(title)s: %(added)s items added, %(total)s in all (%(state)s)")
            % {
                "title": plan.title,
                "added": added,
                "total": total,
                "state": _(rules.STATE_LABELS[plan.state]),
            }
        )

    def _plan(self, framework, unit) -> RemediationPlan:
        model, unit_model = get_framework_or_refuse(framework), get_unit_or_refuse(unit)
        plan = RemediationPlan.objects.filter(framework=model, unit=unit_model).first()
        if plan is None:
            raise CommandError(
                _("%(unit)s has no remediation plan for %(framework)s: see “parindex plan draft”")
                % {"unit": unit, "framework": framework}
            )
        return plan

    def handle_list(self, framework=None, unit=None, json=False, **options):
        today = timezone.localdate()
        plans = RemediationPlan.objects.select_related("unit", "framework", "approved_by")
        if framework:
            plans = plans.filter(framework=get_framework_or_refuse(framework))
        if unit:
            plans = plans.filter(unit=get_unit_or_refuse(unit))
        plans = list(plans)
        if json:
            emit_json(self, {"plans": [plan_json(plan, today) for plan in plans]})
            return
        if not plans:
            self.stdout.write(_("No remediation plan."))
            return
        if framework and unit:
            self.stdout.write(self.items_text(plans[0], today))
            return
        rows = []
        for plan in plans:
            done = completion(plan.items.all(), today)
            rows.append(
                [
                    plan.unit.code,
                    plan.framework.code,
                    _(rules.STATE_LABELS[plan.state]),
                    str(done.total),
                    str(done.done),
                    str(done.overdue),
                ]
            )
        headers = [_("Unit"), _("Framework"), _("State"), _("Items"), _("Done"), _("Overdue")]
        self.stdout.write(table(headers, rows, {3, 4, 5}))

    def items_text(self, plan, today) -> str:
        items = list(plan_items(plan))
        done = completion(items, today)
        lines = [
            plan.title,
            _("%(state)s · %(done)s of %(total)s items done, %(overdue)s overdue")
            % {
                "state": _(rules.STATE_LABELS[plan.state]),
                "done": done.done,
                "total": done.total,
                "overdue": done.overdue,
            },
            "",
        ]
        rows = []
        for item in items:
            title = item.title if len(item.title) <= 40 else item.title[:39] + "…"
            overdue = rules.is_overdue(item.deadline, item.status, today)
            rows.append(
                [
                    item.code,
                    title,
                    format_number(item.lost),
                    item.responsible.code if item.responsible else "—",
                    item.deadline.strftime("%d/%m/%Y") if item.deadline else "—",
                    _(rules.STATUS_LABELS[item.status]) + (" !" if overdue else ""),
                    f"{item.progress} %",
                ]
            )
        headers = [
            _("Code"),
            _("Criterion"),
            _("Lost"),
            _("Responsible"),
            _("Deadline"),
            _("Status"),
            _("Progress"),
        ]
        lines.append(table(headers, rows, {2, 6}))
        if any(rules.is_overdue(i.deadline, i.status, today) for i in items):
            lines.append(_("! overdue: the deadline has passed and the item is not done"))
        return "\n".join(lines)

    def handle_export(self, framework, unit, output, **options):
        from parindex.plans.sheet import plan_workbook

        plan = self._plan(framework, unit)
        path = Path(output)
        if path.suffix.lower() != ".xlsx":
            raise CommandError(
                _("the plan is exported to an .xlsx file, not “%(name)s”") % {"name": path.name}
            )
        path.write_bytes(plan_workbook(plan, timezone.localdate()))
        self.stdout.write(_("Written %(path)s") % {"path": path})
