"""The workflow state machine (pure)."""

from hypothesis import given
from hypothesis import strategies as st

from parindex.domain import workflow as wf

ALL_ROLES = [wf.STAFF, wf.APPRAISER, wf.OFFICER, wf.LEADER]


def test_the_happy_path_with_an_explanation_round():
    state = wf.DRAFT
    for action, role in [
        ("submit", wf.STAFF),
        ("start_appraisal", wf.APPRAISER),
        ("request_explanation", wf.APPRAISER),
        ("answer", wf.STAFF),
        ("finalize", wf.APPRAISER),
        ("publish", wf.OFFICER),
    ]:
        assert wf.refusal(action, state, {role}) is None, (action, state)
        state = wf.TRANSITIONS[action].target
    assert state == wf.PUBLISHED


def test_a_submission_can_be_withdrawn_until_appraisal_starts():
    assert wf.refusal("withdraw", wf.SUBMITTED, {wf.STAFF}) is None
    assert "in appraisal, round 1" in str(wf.refusal("withdraw", wf.APPRAISAL1, {wf.STAFF}))


def test_staff_cannot_appraise_and_appraisers_cannot_submit():
    assert "may not" in str(wf.refusal("finalize", wf.APPRAISAL1, {wf.STAFF}))
    assert "may not" in str(wf.refusal("submit", wf.DRAFT, {wf.APPRAISER}))


def test_the_second_appraisal_has_its_own_deadline():
    assert wf.window_of("finalize", wf.APPRAISAL1) == wf.APPRAISAL_WINDOW
    assert wf.window_of("finalize", wf.APPRAISAL2) == wf.APPRAISAL2_WINDOW


def test_only_officers_reopen_and_never_published_results():
    assert wf.reopen_refusal(wf.APPRAISAL1, wf.DRAFT, {wf.OFFICER}) is None
    assert wf.reopen_refusal(wf.APPRAISAL1, wf.DRAFT, {wf.STAFF}) is not None
    assert wf.reopen_refusal(wf.PUBLISHED, wf.FINAL, {wf.OFFICER}) is not None


def test_what_each_role_edits():
    assert wf.editable_part(wf.DRAFT, {wf.STAFF}) == "self"
    assert wf.editable_part(wf.DRAFT, {wf.APPRAISER}) is None
    assert wf.editable_part(wf.APPRAISAL2, {wf.APPRAISER}) == "appraisal2"
    assert wf.editable_part(wf.PUBLISHED, set(ALL_ROLES)) is None


@given(
    st.lists(
        st.tuples(st.sampled_from(list(wf.TRANSITIONS)), st.sets(st.sampled_from(ALL_ROLES))),
        max_size=30,
    )
)
def test_no_sequence_of_actions_leaves_the_known_states_or_leaves_published(steps):
    state = wf.DRAFT
    for action, roles in steps:
        if wf.refusal(action, state, roles) is None:
            assert state != wf.PUBLISHED
            state = wf.TRANSITIONS[action].target
        assert state in wf.STATES
    assert wf.available_actions(wf.PUBLISHED, set(ALL_ROLES)) == []


def test_only_the_departments_own_submission_waits_for_a_leaders_approval():
    leader = {wf.LEADER}
    assert "only the department's own" in str(wf.refusal("approve", wf.SUBMITTED, leader))
    assert wf.refusal("approve", wf.SUBMITTED, leader, own=True) is None
    assert "already approved" in str(
        wf.refusal("approve", wf.SUBMITTED, leader, own=True, approved=True)
    )
    officer = {wf.OFFICER}
    assert "must approve" in str(wf.refusal("start_appraisal", wf.SUBMITTED, officer, own=True))
    assert wf.refusal("start_appraisal", wf.SUBMITTED, officer, own=True, approved=True) is None
    assert wf.refusal("start_appraisal", wf.SUBMITTED, officer) is None


def test_a_window_that_has_passed_refuses_with_the_way_out():
    from datetime import date

    due, day_after = date(2026, 3, 12), date(2026, 3, 13)
    assert wf.refusal("submit", wf.DRAFT, {wf.STAFF}, due=due, today=due) is None
    late = wf.refusal("submit", wf.DRAFT, {wf.STAFF}, due=due, today=day_after)
    assert str(late) == (
        "the self-assessment deadline passed on 12/03/2026; ask the CCHC officer for an extension"
    )
    # The second appraisal is judged against its own deadline; publishing has none.
    assert "second appraisal" in str(
        wf.refusal("finalize", wf.APPRAISAL2, {wf.APPRAISER}, due=due, today=day_after)
    )
    assert wf.refusal("publish", wf.FINAL, {wf.OFFICER}, due=due, today=day_after) is None


def test_available_actions_are_the_ones_refusal_allows():
    from datetime import date

    due = {wf.SELF_WINDOW: date(2026, 3, 12)}
    assert wf.available_actions(wf.SUBMITTED, {wf.LEADER}) == []
    assert wf.available_actions(wf.SUBMITTED, {wf.LEADER}, own=True) == ["approve"]
    assert wf.available_actions(wf.DRAFT, {wf.STAFF}, due=due, today=date(2026, 3, 12)) == [
        "submit"
    ]
    assert wf.available_actions(wf.DRAFT, {wf.STAFF}, due=due, today=date(2026, 3, 13)) == []


def test_every_open_state_has_the_deadline_its_next_step_must_meet():
    assert set(wf.CURRENT_WINDOW) == set(wf.STATES) - {wf.FINAL, wf.PUBLISHED}
    assert set(wf.WINDOW_LABELS) == set(wf.WINDOWS)
