"""Who may do what in a round. Personas: alice (staff of the hospital A), bob (staff of the
CDC B), carol (appraiser of A), dave (leader of the Sở Y tế), erin (CCHC officer of the Sở Y
tế), frank (a user with no role)."""

from datetime import date, timedelta

import pytest
from helpers import act, assessment, make_framework, publish, round_dates, today

from parindex.assessments.actions import (
    ActionRefused,
    Conflict,
    RoundDates,
    can_read,
    deadline,
    extend_deadline,
    open_round,
    reopen,
    transition,
)
from parindex.domain import workflow as wf
from parindex.frameworks.services import save_framework
from parindex.units.models import Membership

pytestmark = pytest.mark.django_db


def test_erin_opens_a_round_and_it_is_recorded(round_):
    a = assessment(round_, "A")
    assert a.state == wf.DRAFT
    assert list(a.events.values_list("action", "to_state")) == [("open", "draft")]


def test_alice_cannot_open_a_round(people, syt):
    framework, _ = save_framework(make_framework(), publish=True)
    with pytest.raises(ActionRefused, match="only a CCHC officer"):
        open_round(
            people["alice"],
            framework=framework,
            owner=syt["SYT"],
            title="x",
            dates=round_dates(),
            units=[syt["A"]],
        )


def test_a_round_needs_a_published_framework_and_ordered_deadlines(people, syt):
    framework, _ = save_framework(make_framework())
    with pytest.raises(ActionRefused, match="not published"):
        open_round(
            people["erin"],
            framework=framework,
            owner=syt["SYT"],
            title="x",
            dates=round_dates(),
            units=[syt["A"]],
        )
    framework, _ = save_framework(make_framework(), publish=True)
    bad = RoundDates(date(2025, 3, 1), date(2025, 2, 1), date(2025, 2, 2), date(2025, 2, 3))
    with pytest.raises(ActionRefused, match="follow the cycle"):
        open_round(
            people["erin"],
            framework=framework,
            owner=syt["SYT"],
            title="x",
            dates=bad,
            units=[syt["A"]],
        )


def test_alice_submits_her_unit_but_not_bobs(people, round_):
    event = act(people["alice"], round_, "A", "submit", note="Đã đủ tài liệu")
    assert (event.from_state, event.to_state, event.actor.username) == (
        "draft",
        "submitted",
        "alice",
    )
    with pytest.raises(ActionRefused, match="no access"):
        act(people["alice"], round_, "B", "submit")


def test_alice_withdraws_until_the_appraisal_starts(people, round_):
    act(people["alice"], round_, "A", "submit")
    act(people["alice"], round_, "A", "withdraw")
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    with pytest.raises(ActionRefused, match="in appraisal, round 1"):
        act(people["alice"], round_, "A", "withdraw")


def test_the_whole_cycle_with_an_explanation_round(people, round_):
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    act(people["carol"], round_, "A", "request_explanation", note="Bổ sung TLKC tiêu chí 1.1")
    act(people["alice"], round_, "A", "answer")
    act(people["carol"], round_, "A", "finalize")
    with pytest.raises(ActionRefused, match="may not"):
        act(people["carol"], round_, "A", "publish")
    act(people["erin"], round_, "A", "publish")
    a = assessment(round_, "A")
    assert a.state == wf.PUBLISHED
    assert [e.action for e in a.events.all()] == [
        "open",
        "submit",
        "start_appraisal",
        "request_explanation",
        "answer",
        "finalize",
        "publish",
    ]


def test_carol_appraises_only_the_units_she_is_assigned(people, round_):
    act(people["bob"], round_, "B", "submit")
    with pytest.raises(ActionRefused, match="no access"):
        act(people["carol"], round_, "B", "start_appraisal")
    act(people["erin"], round_, "B", "start_appraisal")  # the officer may start it


def test_dave_reads_everything_but_cannot_submit(people, round_):
    assert all(can_read(people["dave"], a) for a in round_.assessments.all())
    with pytest.raises(ActionRefused, match="may not"):
        act(people["dave"], round_, "A", "submit")


def test_frank_has_no_access_at_all(people, round_):
    assert not any(can_read(people["frank"], a) for a in round_.assessments.all())
    with pytest.raises(ActionRefused, match="no access"):
        act(people["frank"], round_, "A", "submit")


def test_the_departments_own_submission_needs_daves_approval(people, syt, round_):
    Membership.objects.create(user=people["alice"], unit=syt["SYT"], role="staff")
    act(people["alice"], round_, "SYT", "submit")
    with pytest.raises(ActionRefused, match="approve the department"):
        act(people["erin"], round_, "SYT", "start_appraisal")
    with pytest.raises(ActionRefused, match="may not"):
        act(people["alice"], round_, "SYT", "approve")
    act(people["dave"], round_, "SYT", "approve")
    act(people["erin"], round_, "SYT", "start_appraisal")
    act(people["alice"], round_, "A", "submit")
    with pytest.raises(ActionRefused, match="only the department's own"):
        act(people["dave"], round_, "A", "approve")


def test_deadlines_are_enforced_and_an_extension_is_recorded(people, round_):
    late = round_dates().self_due + timedelta(days=1)
    a = assessment(round_, "A")
    with pytest.raises(
        ActionRefused, match="deadline passed on " + round_dates().self_due.strftime("%d/%m/%Y")
    ):
        transition(people["alice"], a, "submit", today=late)
    with pytest.raises(ActionRefused, match="only the CCHC officer"):
        extend_deadline(people["alice"], a, "self", late, reason="xin gia hạn")
    extend_deadline(people["erin"], a, "self", late, reason="Mất điện hệ thống")
    assert deadline(a, "self") == late
    transition(people["alice"], a, "submit", today=late)
    override = a.events.get(action="extend")
    assert override.override and override.actor.username == "erin"
    assert "Mất điện" in override.note


def test_erin_reopens_with_a_reason_recorded_as_an_override(people, round_):
    act(people["alice"], round_, "A", "submit")
    act(people["carol"], round_, "A", "start_appraisal")
    with pytest.raises(ActionRefused, match="say why"):
        reopen(people["erin"], assessment(round_, "A"), wf.DRAFT, reason=" ")
    with pytest.raises(ActionRefused):
        reopen(people["alice"], assessment(round_, "A"), wf.DRAFT, reason="sửa")
    event = reopen(people["erin"], assessment(round_, "A"), wf.DRAFT, reason="Đơn vị nộp nhầm")
    assert event.override and assessment(round_, "A").state == wf.DRAFT


def test_published_results_cannot_be_reopened(people, round_):
    publish(people, round_)
    with pytest.raises(ActionRefused, match="cannot be reopened"):
        reopen(people["erin"], assessment(round_, "A"), wf.FINAL, reason="x")
    with pytest.raises(ActionRefused, match="published"):
        extend_deadline(people["erin"], assessment(round_, "A"), "self", today(), reason="x")


def test_two_people_acting_on_the_same_version_do_not_overwrite_each_other(people, round_):
    seen = assessment(round_, "A").version
    act(people["alice"], round_, "A", "submit", expected_version=seen)
    with pytest.raises(Conflict, match="someone else changed"):
        act(people["alice"], round_, "A", "withdraw", expected_version=seen)


def test_published_results_are_immutable_even_from_the_command_line(people, round_, tmp_path):
    from conftest import write

    from parindex.assessments.services import import_scores
    from parindex.tables import TableError

    publish(people, round_)
    path = write(tmp_path / "late.csv", "unit,criterion,points\nA,1.1,1\nB,1.1,1\n")
    with pytest.raises(TableError) as refused:
        import_scores(path, "t-2024", "final", actor="erin")
    assert [(p.row, str(p.message)) for p in refused.value.problems] == [
        (2, "the results of A are published and can no longer change")
    ]


# --- a page offers exactly the actions that succeed ----------------------------------------


class _Undo(Exception):
    """Raised inside a savepoint to undo an action that succeeded."""


def _succeeds(user, a, action) -> bool:
    from django.db import transaction

    try:
        with transaction.atomic():
            transition(user, a, action)
            raise _Undo
    except _Undo:
        return True
    except ActionRefused:
        return False


PERSONAS = ("alice", "bob", "carol", "dave", "erin", "frank")


@pytest.mark.parametrize("late", [False, True], ids=["in time", "every deadline passed"])
@pytest.mark.parametrize("unit", ["A", "SYT"], ids=["a unit", "the department's own"])
def test_the_buttons_offered_are_exactly_the_actions_allowed(people, syt, round_, unit, late):
    """Every action × persona × state (× approved or not): what `Access.actions` offers is
    what `transition` accepts. Nothing is scored, so no content check gets in the way."""
    from django.utils import timezone

    from parindex.assessments.access import access_for
    from parindex.assessments.models import Round, UnitAssessment

    Membership.objects.create(user=people["alice"], unit=syt["SYT"], role="staff")
    if late:
        start = today() - timedelta(days=50)
        Round.objects.filter(pk=round_.pk).update(
            self_due=start,
            appraisal_due=start + timedelta(days=10),
            explanation_due=start + timedelta(days=20),
            appraisal2_due=start + timedelta(days=30),
        )
    a = assessment(round_, unit)
    a.appraisers.add(people["carol"])
    seen = set()
    for state in wf.STATES:
        for approved in (None, timezone.now()):
            UnitAssessment.objects.filter(pk=a.pk).update(state=state, approved_at=approved)
            for name in PERSONAS:
                offered = set(access_for(people[name], a.pk).actions)
                allowed = {
                    action for action in wf.TRANSITIONS if _succeeds(people[name], a, action)
                }
                assert offered == allowed, (unit, late, state, bool(approved), name)
                seen |= offered
    # Real buttons are covered: every action somewhere when in time (a unit's assessment
    # never needs the approval); only what has no deadline once every deadline passed.
    expected = set(wf.TRANSITIONS) - ({"approve"} if unit == "A" else set())
    if late:
        expected = {"start_appraisal", "publish"} | ({"approve"} if unit == "SYT" else set())
    assert seen == expected


def test_a_leader_is_offered_the_approval_of_the_departments_own_submission_only(
    people, syt, round_
):
    from parindex.assessments.access import access_for

    Membership.objects.create(user=people["alice"], unit=syt["SYT"], role="staff")
    act(people["alice"], round_, "SYT", "submit")
    act(people["alice"], round_, "A", "submit")
    dave = people["dave"]
    assert access_for(dave, assessment(round_, "A")).actions == []
    assert access_for(dave, assessment(round_, "SYT")).actions == ["approve"]
    assert access_for(people["erin"], assessment(round_, "SYT")).actions == []  # not approved
    act(dave, round_, "SYT", "approve")
    assert access_for(dave, assessment(round_, "SYT")).actions == []  # approved once
    assert access_for(people["erin"], assessment(round_, "SYT")).actions == ["start_appraisal"]


def test_a_passed_deadline_hides_the_button_and_says_whom_to_ask(people, round_):
    from parindex.assessments.access import access_for
    from parindex.assessments.models import Round

    due = today() - timedelta(days=1)
    Round.objects.filter(pk=round_.pk).update(self_due=due)
    a = assessment(round_, "A")
    alice = access_for(people["alice"], a)
    assert alice.actions == []
    assert [str(m) for m in alice.overdue] == [
        f"the self-assessment deadline passed on {due:%d/%m/%Y}; "
        "ask the CCHC officer for an extension"
    ]
    assert access_for(people["bob"], assessment(round_, "B")).overdue != []
    assert access_for(people["dave"], a).overdue == []  # nothing the leader could do anyway
    extend_deadline(people["erin"], a, "self", today(), reason="Mất điện")
    again = access_for(people["alice"], a)
    assert again.actions == ["submit"] and again.overdue == []
    assert again.deadlines["self"].extended and again.deadlines["self"].due == today()
    assert again.deadlines["self"].scheduled == due


def test_the_home_pages_access_objects_agree_with_the_grids(people, syt, round_):
    """`accesses` (every assessment at once, for the home page) and `access_for` (one, for the
    grid) give each persona the same roles, actions and deadlines."""
    from django.contrib.auth.models import User

    from parindex.assessments.access import access_for, accesses

    Membership.objects.create(user=people["alice"], unit=syt["SYT"], role="staff")
    act(people["alice"], round_, "SYT", "submit")
    extend_deadline(people["erin"], assessment(round_, "B"), "self", today(), reason="x")
    root = User.objects.create_superuser("root", password="root-pw")
    for user in [*people.values(), root]:
        bulk = {a.assessment.pk: a for a in accesses(user)}
        one = {a.pk: access_for(user, a) for a in round_.assessments.all()}
        assert set(bulk) == {pk for pk, a in one.items() if a.roles}, user.username
        for pk, access in bulk.items():
            assert access.roles == one[pk].roles, (user.username, pk)
            assert access.actions == one[pk].actions, (user.username, pk)
            assert access.deadlines == one[pk].deadlines, (user.username, pk)
