"""The remediation plan: drafted from the loss analysis, written through one gate whose table
says who writes what in which state (every writer × role × state), approved by a leader,
audited, counted into the plan indicators, and followed by reminders that go out once."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from plan_helpers import TODAY, actor, approved, draft_again, drafted, pdf, planned

from parindex.assessments.analysis import loss_report, published
from parindex.assessments.errors import ActionRefused, Conflict
from parindex.domain import plans as rules
from parindex.frameworks.models import Framework
from parindex.plans import services
from parindex.plans.models import ItemEvidence, PlanChange, RemediationItem, Reminder
from parindex.units.models import Membership

pytestmark = pytest.mark.django_db

# --- drafting ----------------------------------------------------------------------------------


def test_the_draft_has_one_item_per_lost_point_adding_up_to_the_loss(plan_demo):
    plan = drafted(plan_demo)
    report = loss_report(published(plan_demo["framework"], plan_demo["units"]["SYT"]), None)
    expected = [i for i in report.items if i.kind == "criterion" and i.shown_lost > 0]
    items = list(plan.items.order_by("position"))
    assert [i.code for i in items] == [i.code for i in expected]
    assert items[0].code == "2.1" and items[0].lost == Decimal(3)
    assert sum(i.lost for i in items) == report.shown_lost == Decimal("18.721")
    assert plan.state == rules.DRAFT and plan.created_by == "erin"
    assert PlanChange.objects.filter(plan=plan, field="item").count() == len(items)


def test_drafting_again_adds_nothing_and_keeps_the_edits(plan_demo):
    plan = drafted(plan_demo)
    planned(plan_demo, plan)
    count, changes = plan.items.count(), PlanChange.objects.count()
    again, added = services.draft(
        actor(plan_demo, "erin"), plan_demo["framework"], plan_demo["units"]["SYT"]
    )
    assert (again.pk, added, again.items.count()) == (plan.pk, 0, count)
    assert again.items.get(code="2.1").solution == "Ban hành kế hoạch"
    assert PlanChange.objects.count() == changes


def test_a_dropped_item_comes_back_when_drafted_again(plan_demo):
    plan = drafted(plan_demo)
    plan.items.filter(code="3.2").delete()
    _plan, added = services.draft(
        actor(plan_demo, "erin"), plan_demo["framework"], plan_demo["units"]["SYT"]
    )
    assert added == 1 and plan.items.filter(code="3.2").exists()


@pytest.mark.parametrize("name", ["dave", "alice", "frank"])
def test_only_the_officer_drafts(plan_demo, name):
    with pytest.raises(ActionRefused, match="only the CCHC officer"):
        services.draft(actor(plan_demo, name), plan_demo["framework"], plan_demo["units"]["SYT"])
    assert not RemediationItem.objects.exists()


def test_the_terminal_drafts_as_the_officer_and_is_named(plan_demo):
    plan, added = services.draft(
        services.Actor.terminal("nva"), plan_demo["framework"], plan_demo["units"]["SYT"]
    )
    assert added == 19 and plan.created_by == "nva"
    assert PlanChange.objects.filter(actor="nva", user=None).exists()


def test_unpublished_results_are_not_planned(plan_demo):
    bvdk = plan_demo["units"]["BVDK"]
    Membership.objects.create(user=plan_demo["people"]["erin"], unit=bvdk, role="officer")
    framework = Framework.objects.get(code="so-2021")
    with pytest.raises(ActionRefused, match="has no scores"):
        services.draft(actor(plan_demo, "erin"), framework, bvdk)


def test_an_approved_plan_is_reopened_before_it_is_drafted_again(plan_demo):
    plan = approved(plan_demo)
    with pytest.raises(ActionRefused, match="reopens it first"):
        draft_again(plan_demo)
    assert plan.items.count() == 19


# --- the gate: every writer × role × state ----------------------------------------------------


def _write(plan_demo, writer, name, plan):
    item = plan.items.get(code="2.1")
    who = actor(plan_demo, name)
    if writer == "planning":
        services.update_item(who, item, {"solution": "Giải pháp mới"})
    elif writer == "progress":
        services.update_item(who, item, {"status": "doing", "progress": 40})
    elif writer == "evidence":
        services.attach_evidence(who, item, pdf(), "Báo cáo tiến độ")
    elif writer == "approve":
        services.transition(who, plan, "approve")
    elif writer == "reopen":
        services.transition(who, plan, "reopen", reason="Sửa thời hạn")


# Who may use each writer in each state of the plan. erin: officer; dave: leader; alice:
# staff of the unit responsible for 2.1; bob: staff of a unit with no part in 2.1; carol:
# staff of a unit of the Sở responsible for other items; frank: no role.
ALLOWED = {
    ("planning", rules.DRAFT): {"erin"},
    ("planning", rules.APPROVED): set(),
    ("progress", rules.DRAFT): set(),
    ("progress", rules.APPROVED): {"erin", "alice"},
    ("evidence", rules.DRAFT): set(),
    ("evidence", rules.APPROVED): {"erin", "alice"},
    ("approve", rules.DRAFT): {"dave"},
    ("approve", rules.APPROVED): set(),
    ("reopen", rules.DRAFT): set(),
    ("reopen", rules.APPROVED): {"erin", "dave"},
}


@pytest.mark.parametrize("state", rules.STATES)
@pytest.mark.parametrize("writer", ["planning", "progress", "evidence", "approve", "reopen"])
@pytest.mark.parametrize("name", ["erin", "dave", "alice", "bob", "carol", "frank"])
def test_every_writer_role_and_state(plan_demo, writer, name, state):
    plan = approved(plan_demo) if state == rules.APPROVED else drafted(plan_demo)
    if state == rules.DRAFT:
        for item in plan.items.all():
            planned(plan_demo, plan, item.code, "BVDK" if item.code == "2.1" else "SYT-VP")
    plan.refresh_from_db()
    before = (
        list(RemediationItem.objects.values()),
        PlanChange.objects.count(),
        ItemEvidence.objects.count(),
    )
    if name in ALLOWED[(writer, state)]:
        _write(plan_demo, writer, name, plan)
        assert PlanChange.objects.count() > before[1]  # audited
    else:
        with pytest.raises(ActionRefused):
            _write(plan_demo, writer, name, plan)
        after = (
            list(RemediationItem.objects.values()),
            PlanChange.objects.count(),
            ItemEvidence.objects.count(),
        )
        assert after == before  # nothing half-written
        plan.refresh_from_db()
        assert plan.state == state


def test_the_sos_own_item_is_reported_by_its_staff_not_its_leader(plan_demo):
    from django.contrib.auth.models import User

    plan = approved(plan_demo)
    syt = plan_demo["units"]["SYT"]
    services.transition(actor(plan_demo, "dave"), plan, "reopen", reason="Giao lại")
    planned(plan_demo, plan, unit="SYT")
    plan = services.transition(actor(plan_demo, "dave"), plan, "approve")
    gina = User.objects.create_user("gina")
    Membership.objects.create(user=gina, unit=syt, role="staff")
    item = plan.items.get(code="2.1")
    services.update_item(services.Actor.person(gina), item, {"progress": 10})
    with pytest.raises(ActionRefused, match="only the responsible unit"):
        services.update_item(actor(plan_demo, "dave"), item, {"progress": 20})
    assert [i.code for i in services.assigned_items(gina)] == ["2.1"]
    assert services.assigned_items(plan_demo["people"]["dave"]) == []


def test_a_unit_outside_the_plans_unit_is_refused(plan_demo):
    plan = drafted(plan_demo)
    with pytest.raises(ActionRefused, match="not a unit of SYT"):
        planned(plan_demo, plan, unit="SNV")
    with pytest.raises(ActionRefused, match="unknown unit"):
        planned(plan_demo, plan, unit="NOPE")
    assert plan.items.get(code="2.1").responsible is None


def test_an_unknown_field_or_a_bad_progress_is_refused(plan_demo):
    plan = approved(plan_demo)
    item = plan.items.get(code="2.1")
    with pytest.raises(ActionRefused, match="not a field"):
        services.update_item(actor(plan_demo, "erin"), item, {"lost": 0})
    for bad in ("120", "-5", "40,5", "abc"):
        with pytest.raises(ActionRefused, match="whole percentage"):
            services.update_item(actor(plan_demo, "alice"), item, {"progress": bad})
    item.refresh_from_db()
    assert (item.progress, item.status) == (0, rules.TODO)


def test_a_stale_version_is_a_conflict(plan_demo):
    plan = drafted(plan_demo)
    item = plan.items.get(code="2.1")
    seen = item.version
    planned(plan_demo, plan)
    with pytest.raises(Conflict):
        services.update_item(actor(plan_demo, "erin"), item, {"cause": "x"}, expected_version=seen)


# --- approval, progress, audit ------------------------------------------------------------------


def test_a_plan_is_approved_only_with_every_item_planned(plan_demo):
    plan = drafted(plan_demo)
    planned(plan_demo, plan)
    with pytest.raises(
        ActionRefused, match=r"8\.2 needs a solution; a responsible unit; a deadline"
    ):
        services.transition(actor(plan_demo, "dave"), plan, "approve")
    plan.refresh_from_db()
    assert plan.state == rules.DRAFT and plan.approved_by is None


def test_reopening_needs_a_reason_and_takes_the_approval_back(plan_demo):
    plan = approved(plan_demo)
    assert plan.approved_by == plan_demo["people"]["dave"]
    with pytest.raises(ActionRefused, match="say why"):
        services.transition(actor(plan_demo, "erin"), plan, "reopen", reason=" ")
    plan = services.transition(actor(plan_demo, "erin"), plan, "reopen", reason="Đổi thời hạn")
    assert plan.state == rules.DRAFT and plan.approved_by is None
    change = PlanChange.objects.filter(plan=plan, field="state").first()
    assert (change.old, change.new, change.reason, change.actor) == (
        "approved",
        "draft",
        "Đổi thời hạn",
        "erin",
    )


def test_every_change_is_audited_with_who_old_new_and_why(plan_demo):
    plan = drafted(plan_demo)
    item = plan.items.get(code="2.1")
    services.update_item(
        actor(plan_demo, "erin"),
        item,
        {"responsible": "BVDK", "supporting": ["CDC", "BVDK"], "deadline": date(2027, 6, 30)},
        reason="Họp giao ban",
    )
    rows = {
        c.field: (c.old, c.new, c.actor, c.reason)
        for c in PlanChange.objects.filter(item=item).exclude(field="item")
    }
    assert rows == {
        "responsible": ("", "BVDK", "erin", "Họp giao ban"),
        "supporting": ("", "CDC", "erin", "Họp giao ban"),  # the responsible unit left out
        "deadline": ("", "30/06/2027", "erin", "Họp giao ban"),
    }
    count = PlanChange.objects.count()
    services.update_item(actor(plan_demo, "erin"), item, {"responsible": "BVDK"})  # no change
    assert PlanChange.objects.count() == count
    item = services.update_item(actor(plan_demo, "erin"), item, {"responsible": "CDC"})
    assert list(item.supporting.all()) == []  # the responsible unit does not support itself
    assert PlanChange.objects.get(item=item, field="supporting", new="").old == "CDC"


def test_done_needs_evidence_and_progress_starts_the_work(plan_demo):
    plan = approved(plan_demo)
    item = plan.items.get(code="2.1")
    alice = actor(plan_demo, "alice")
    item = services.update_item(alice, item, {"progress": 30})
    assert (item.status, item.progress) == (rules.DOING, 30)
    with pytest.raises(ActionRefused, match="attach the evidence"):
        services.update_item(alice, item, {"status": "done", "progress": 100})
    with pytest.raises(ActionRefused, match="set its progress to 100"):
        services.update_item(alice, item, {"status": "done", "progress": 90})
    services.attach_evidence(alice, item, pdf(), "Quyết định ban hành")
    services.attach_evidence(alice, item, pdf(name="again.pdf"), "Cùng tệp")  # stored once
    assert item.evidence.count() == 1
    item = services.update_item(alice, item, {"status": "done", "progress": 100}, today=TODAY)
    assert item.done_on == TODAY
    item = services.update_item(alice, item, {"status": "doing", "progress": 90})
    assert item.done_on is None


def test_an_upload_that_is_no_document_is_refused(plan_demo):
    plan = approved(plan_demo)
    item = plan.items.get(code="2.1")
    fake = SimpleUploadedFile("script.pdf", b"#!/bin/sh\necho hi\n")
    with pytest.raises(ActionRefused, match="is not a PDF"):
        services.attach_evidence(actor(plan_demo, "alice"), item, fake, "Báo cáo")
    assert not ItemEvidence.objects.exists()


def test_items_assigned_to_a_unit_reach_its_people(plan_demo):
    plan = approved(plan_demo)
    alice = services.assigned_items(plan_demo["people"]["alice"])
    assert [i.code for i in alice] == ["2.1"]
    assert len(services.assigned_items(plan_demo["people"]["carol"])) == plan.items.count() - 1
    for name in ("erin", "dave", "bob", "frank"):  # the Sở follows the plan; the others: none
        assert services.assigned_items(plan_demo["people"][name]) == []
    followed = services.followed_plans(plan_demo["people"]["dave"], TODAY)
    assert [(p.pk, c.total) for p, c in followed] == [(plan.pk, 19)]
    assert services.followed_plans(plan_demo["people"]["alice"], TODAY) == []


def test_overdue_and_completion(plan_demo):
    plan = approved(plan_demo)
    item = plan.items.get(code="2.1")
    late = item.deadline + timedelta(days=1)
    done = services.completion(plan.items.all(), late)
    assert (done.done, done.total, done.overdue) == (0, 19, 19)
    assert not rules.is_overdue(item.deadline, rules.TODO, item.deadline)


# --- the plan indicators --------------------------------------------------------------------------


def test_approved_items_count_into_the_plan_tasks(plan_demo):
    from parindex.registers.indicators import compute

    plan = approved(plan_demo)
    syt = plan_demo["units"]["SYT"]
    start, end = date(2027, 1, 1), date(2027, 12, 31)
    before = compute([syt], start, end)[syt.pk].figures
    item = plan.items.get(code="2.1")
    services.attach_evidence(actor(plan_demo, "alice"), item, pdf(), "Quyết định")
    services.update_item(
        actor(plan_demo, "alice"), item, {"status": "done", "progress": 100}, today=TODAY
    )
    figures = compute([syt], start, end)[syt.pk].figures
    assert figures["plan.tasks"].value - (before["plan.tasks"].value or 0) == 0
    assert figures["plan.tasks"].value == 19
    assert figures["plan.tasks_done"].value == 1
    services.transition(actor(plan_demo, "erin"), plan, "reopen", reason="Sửa")
    figures = compute([syt], start, end)[syt.pk].figures
    assert figures["plan.tasks"].value is None  # a draft counts for nothing


# --- reminders ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "days_left, kind",
    [
        *((30, None), (8, None), (7, "before-7"), (2, "before-7"), (1, "before-1")),
        *((0, "due"), (-1, "overdue"), (-40, "overdue")),
    ],
)
def test_the_reminder_of_a_day(days_left, kind):
    assert rules.reminder_kind(TODAY + timedelta(days=days_left), rules.DOING, TODAY) == kind
    assert rules.reminder_kind(TODAY + timedelta(days=days_left), rules.DONE, TODAY) is None


def test_reminders_go_out_once_in_the_app_and_by_email(plan_demo, settings, mailoutbox):
    settings.EMAIL_CONFIGURED = True
    plan = approved(plan_demo)
    deadline = plan.items.get(code="2.1").deadline
    report = services.send_reminders(deadline - timedelta(days=7))
    # Every item is due the same day: 2.1 reminds alice (the hospital) and erin (the
    # officer); the office's items remind carol and erin.
    assert report.items == 19 and report.sent == 19 * 2 + 0 and report.emailed == report.sent
    hospital = Reminder.objects.filter(item__code="2.1").values_list("user__username", "kind")
    assert sorted(hospital) == [("alice", "before-7"), ("erin", "before-7")]
    # E-mails are in the installation's language (Vietnamese), whoever runs the reminders.
    subjects = [m.subject for m in mailoutbox if m.to == ["alice@syt.example"]]
    assert subjects == [
        f"Còn 7 ngày: nội dung khắc phục 2.1 của SYT (hạn {deadline.strftime('%d/%m/%Y')})"
    ]
    body = next(m.body for m in mailoutbox if m.to == ["alice@syt.example"])
    item = plan.items.get(code="2.1")
    assert f"/plan-items/{item.pk}/" in body and "Đơn vị chủ trì: Bệnh viện Đa khoa tỉnh" in body
    again = services.send_reminders(deadline - timedelta(days=5))  # same kind: nothing new
    assert (again.sent, len(mailoutbox)) == (0, report.sent)
    assert services.send_reminders(deadline).sent == 38  # due today
    assert services.send_reminders(deadline + timedelta(days=3)).sent == 38  # overdue, once
    assert services.send_reminders(deadline + timedelta(days=4)).sent == 0


def test_without_an_email_server_reminders_stay_in_the_app(plan_demo, mailoutbox):
    plan = approved(plan_demo)
    deadline = plan.items.get(code="2.1").deadline
    report = services.send_reminders(deadline)
    assert report.sent == 38 and report.emailed == 0 and not mailoutbox
    alice = plan_demo["people"]["alice"]
    unread = list(services.unread_reminders(alice))
    assert [r.item.code for r in unread] == ["2.1"]
    assert services.mark_read(plan_demo["people"]["bob"], [unread[0].pk]) == 0  # not bob's
    assert services.mark_read(alice, [unread[0].pk]) == 1
    assert not services.unread_reminders(alice).exists()


def test_done_items_and_drafts_are_not_reminded_and_a_moved_deadline_starts_over(plan_demo):
    plan = drafted(plan_demo)
    planned(plan_demo, plan, deadline=TODAY)
    assert services.send_reminders(TODAY).sent == 0  # a draft
    plan = approved(plan_demo)
    services.send_reminders(TODAY + timedelta(days=30))  # due
    services.send_reminders(TODAY + timedelta(days=31))  # overdue, once for good
    services.transition(actor(plan_demo, "dave"), plan, "reopen", reason="Lùi hạn")
    planned(plan_demo, plan, deadline=TODAY + timedelta(days=40))
    services.transition(actor(plan_demo, "dave"), plan, "approve")
    report = services.send_reminders(TODAY + timedelta(days=40))
    assert report.items == 1  # 2.1 again, for its new deadline


def test_the_daily_job_reminds_and_queues_the_next_day(plan_demo, settings):
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from parindex.plans import jobs

    jobs.start_daily()
    jobs.start_daily()
    queued = DBTaskResult.objects.filter(task_path=jobs.DAILY)
    assert queued.count() == 1  # one run now, however often the server starts
    approved(plan_demo)
    result = jobs.daily_reminders.call()
    assert result.endswith("e-mailed")
    later = [t for t in queued.all() if t.run_after.year < 9999]
    assert len(later) == 1
    run = timezone.localtime(later[0].run_after)
    assert (run.hour, run.minute) == (settings.REMIND_HOUR, 0) and run > timezone.now()
    jobs.daily_reminders.call()
    assert len([t for t in queued.all() if t.run_after.year < 9999]) == 1


def test_a_change_that_moves_the_counts_is_announced_to_the_bindings(
    plan_demo, django_capture_on_commit_callbacks
):
    """Approval, reopening and an item's status or deadline move `plan.tasks`: the registers'
    signal recomputes the figures of the unit's open assessments (`registers.bindings`)."""
    from parindex.registers.signals import registers_changed

    heard = []

    def receiver(sender, kind=None, unit_ids=(), **kwargs):
        heard.append((kind, set(unit_ids)))

    registers_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            plan = approved(plan_demo)
        syt = plan_demo["units"]["SYT"].pk
        assert heard == [("plan-tasks", {syt})]
        item = plan.items.get(code="2.1")
        with django_capture_on_commit_callbacks(execute=True):
            services.update_item(actor(plan_demo, "alice"), item, {"progress_note": "Đang làm"})
        assert len(heard) == 1  # a note moves no count
        with django_capture_on_commit_callbacks(execute=True):
            services.update_item(actor(plan_demo, "alice"), item, {"progress": 20})
        assert heard[-1] == ("plan-tasks", {syt}) and len(heard) == 2
    finally:
        registers_changed.disconnect(receiver)
