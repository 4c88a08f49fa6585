"""Accounts and roles managed by the CCHC officer without the Django admin: every writer ×
persona × target, through the actions and through the pages (their permission path).

Personas (conftest): erin is the CCHC officer of the Sở Y tế (SYT → A, B), dave its leader,
alice staff of A, frank holds no role. Here besides: olga is the CCHC officer of another
department (STC → STC-1) and oscar its staff; thao is an appraiser of the Sở Nội vụ (SNV);
root is a superuser.
"""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from parindex.assessments import access
from parindex.assessments.access import access_for, memberships_of, unit_roles
from parindex.assessments.errors import ActionRefused
from parindex.units import people as accounts
from parindex.units.models import Membership, Unit

pytestmark = pytest.mark.django_db

OFFICERS = {"erin": "SYT", "olga": "STC"}


@pytest.fixture
def org(people, syt):
    tinh = Unit.objects.create(code="TINH", name="UBND tỉnh")
    Unit.objects.filter(pk=syt["SYT"].pk).update(parent=tinh)
    stc = Unit.objects.create(code="STC", name="Sở Tài chính", parent=tinh)
    stc1 = Unit.objects.create(code="STC-1", name="Chi cục thuế", parent=stc)
    snv = Unit.objects.create(code="SNV", name="Sở Nội vụ", parent=tinh)
    for name in ("olga", "oscar", "thao"):
        people[name] = User.objects.create_user(name, password=f"{name}-pw")
    people["root"] = User.objects.create_superuser("root", password="root-pw")
    Membership.objects.create(user=people["olga"], unit=stc, role="officer")
    Membership.objects.create(user=people["oscar"], unit=stc1, role="staff")
    Membership.objects.create(user=people["thao"], unit=snv, role="appraiser")
    alice = people["alice"]
    alice.last_name, alice.first_name = "Nguyễn Thị", "An"
    alice.last_login = timezone.make_aware(datetime(2026, 11, 24, 0, 43))
    alice.save()
    return {**syt, "TINH": tinh, "STC": stc, "STC-1": stc1, "SNV": snv}


def _can_log_in(username: str, password: str) -> bool:
    """Through the login page (the lock-out backend needs the request)."""
    response = Client().post("/accounts/login/", {"username": username, "password": password})
    return response.status_code == 302


def _refused(callable_, *args, **kwargs) -> bool:
    try:
        callable_(*args, **kwargs)
    except ActionRefused:
        return True
    return False


# --- the appraiser role ----------------------------------------------------------------------


def test_an_appraiser_membership_grants_no_reading_right_by_itself(people, round_):
    """carol appraises A in the round; an appraiser membership of the Sở itself (above A and
    B) must not make her a reader of B, nor of anything else."""
    syt = round_.owner
    Membership.objects.create(user=people["carol"], unit=syt, role="appraiser")
    carol = people["carol"]
    assert memberships_of(carol) == []
    assert unit_roles(carol, syt) == frozenset()
    b = round_.assessments.get(unit__code="B")
    a = round_.assessments.get(unit__code="A")
    assert access_for(carol, b).roles == frozenset()
    assert access_for(carol, a).roles == {"appraiser"}  # the assignment does
    assert set(access.visible_assessments(carol)) == {a}
    assert [x.assessment for x in access.accesses(carol)] == [a]
    assert not access.can_open_rounds(carol)
    assert not accounts.scope_of(carol)


def test_the_demo_appraiser_holds_the_appraiser_role_in_the_so_noi_vu():
    from parindex.library.accounts import load_demo_accounts
    from parindex.library.demo import load_demo

    load_demo()
    load_demo_accounts()
    thamdinh = User.objects.get(username="thamdinh")
    assert list(thamdinh.memberships.values_list("unit__code", "role")) == [("SNV", "appraiser")]
    assert thamdinh in accounts.appraiser_accounts()


# --- the actions: writer × persona × target ------------------------------------------------


@pytest.mark.parametrize("actor", ["erin", "olga", "dave", "alice", "frank"])
@pytest.mark.parametrize("target", ["alice", "oscar", "thao", "root"])
def test_reset_deactivate_and_rename_only_people_wholly_in_the_officers_units(
    people, org, actor, target
):
    allowed = (actor, target) in {("erin", "alice"), ("olga", "oscar")}
    user = people[target]
    me = people[actor]
    assert _refused(accounts.reset_password, me, user) is not allowed
    assert _refused(accounts.set_active, me, user, False) is not allowed
    assert _refused(accounts.update_account, me, user, name="Trần Văn Bảo", email="") is not (
        allowed
    )
    user.refresh_from_db()
    assert user.is_active is not allowed
    assert (accounts.full_name(user) == "Trần Văn Bảo") is allowed
    assert user.check_password(f"{target}-pw") is not allowed
    assert LogEntry.objects.filter(object_id=str(user.pk)).count() == (3 if allowed else 0)


@pytest.mark.parametrize("actor", ["erin", "olga", "dave", "alice", "frank", "root"])
@pytest.mark.parametrize("unit", ["A", "STC-1", "SNV"])
def test_roles_are_given_and_removed_by_an_officer_of_the_unit_only(people, org, actor, unit):
    allowed = actor == "root" or (actor, unit) in {("erin", "A"), ("olga", "STC-1")}
    target = people["frank"]
    refused = _refused(accounts.grant_role, people[actor], target, org[unit], "staff")
    assert refused is not allowed
    assert target.memberships.filter(unit=org[unit]).exists() is allowed
    membership = Membership.objects.get_or_create(user=target, unit=org[unit], role="leader")[0]
    assert _refused(accounts.revoke_role, people[actor], membership) is not allowed
    assert Membership.objects.filter(pk=membership.pk).exists() is not allowed


@pytest.mark.parametrize("actor", ["erin", "olga", "dave", "alice", "frank", "carol"])
def test_only_an_officer_creates_accounts_and_gives_roles_in_their_units(people, org, actor):
    allowed = actor in OFFICERS
    created = not _refused(
        accounts.create_account, people[actor], full_name="Lê Văn Mới", username=f"new.{actor}"
    )
    assert created is allowed
    assert User.objects.filter(username=f"new.{actor}").exists() is allowed
    if allowed:  # and roles only in the officer's own units
        other = "STC-1" if actor == "erin" else "A"
        assert _refused(
            accounts.create_account,
            people[actor],
            full_name="Lê Văn Khác",
            username=f"other.{actor}",
            roles=[(org[other], "staff")],
        )
        assert not User.objects.filter(username=f"other.{actor}").exists()


def test_a_new_account_has_its_name_split_its_roles_and_a_password_shown_once(people, org):
    user, password = accounts.create_account(
        people["erin"],
        full_name="  Nguyễn   Thị  Hoa ",
        username="nguyen.hoa",
        email="hoa@syt.example.vn",
        roles=[(org["A"], "staff"), (org["SYT"], "appraiser")],
    )
    assert (user.last_name, user.first_name) == ("Nguyễn Thị", "Hoa")
    assert accounts.full_name(user) == "Nguyễn Thị Hoa"
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    assert user.check_password(password) and password not in user.password
    assert set(user.memberships.values_list("unit__code", "role")) == {
        ("A", "staff"),
        ("SYT", "appraiser"),
    }
    messages = [m.render() for _when, _who, m in accounts.history(user)]
    assert messages == [
        "role given: appraiser of SYT",
        "role given: unit staff of A",
        "account created",
    ]
    assert LogEntry.objects.filter(user=people["erin"], object_id=str(user.pk)).count() == 3


@pytest.mark.parametrize(
    ("entries", "field"),
    [
        ({"full_name": " ", "username": "x1"}, "full_name"),
        ({"username": "co dau cach"}, "username"),
        ({"username": "ALICE"}, "username"),  # taken, whatever the case
        ({"email": "not-an-address"}, "email"),
        ({"password": "12345678"}, "password"),
        ({"password": "matkhau"}, "password"),
    ],
)
def test_a_refused_account_names_the_entry_and_creates_nothing(people, org, entries, field):
    data = {"full_name": "Lê Văn Mới", "username": "le.moi", **entries}
    before = User.objects.count()
    with pytest.raises(accounts.EntryRefused) as refused:
        accounts.create_account(people["erin"], **data)
    assert refused.value.field == field
    assert User.objects.count() == before


def test_an_officer_keeps_their_last_officer_role_and_their_account(people, org):
    erin = people["erin"]
    own = Membership.objects.get(user=erin, role="officer")
    assert _refused(accounts.revoke_role, erin, own)
    assert _refused(accounts.set_active, erin, erin, False)
    # With a second officer role, giving up one is allowed.
    accounts.grant_role(erin, erin, org["A"], "officer")
    accounts.revoke_role(erin, own)
    assert list(erin.memberships.values_list("unit__code", "role")) == [("A", "officer")]
    # Resetting one's own password is allowed.
    assert erin.check_password(accounts.reset_password(erin, erin))


def test_a_role_already_held_or_unknown_is_refused(people, org):
    assert _refused(accounts.grant_role, people["erin"], people["alice"], org["A"], "staff")
    assert _refused(accounts.grant_role, people["erin"], people["alice"], org["A"], "king")


def test_a_typed_password_follows_djangos_validators(people, org):
    alice = people["alice"]
    with pytest.raises(accounts.PasswordRefused) as refused:
        accounts.reset_password(people["erin"], alice, "alice")
    assert refused.value.reasons  # too short, too similar to the user name …
    assert alice.check_password("alice-pw")
    accounts.reset_password(people["erin"], alice, "Vững-vàng-2026")
    alice.refresh_from_db()
    assert alice.check_password("Vững-vàng-2026")


def test_a_reset_lifts_a_lock_out(people, org):
    AccessAttempt.objects.create(
        username="alice",
        ip_address="10.0.0.9",
        user_agent="x",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
    )
    accounts.reset_password(people["erin"], people["alice"])
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_admin_staff_accounts_are_the_superusers(people, org):
    ivy = User.objects.create_user("ivy", is_staff=True)
    assert _refused(accounts.reset_password, people["erin"], ivy)
    assert not _refused(accounts.reset_password, people["root"], ivy)


# --- the pages ------------------------------------------------------------------------------


def _client(people, name) -> Client:
    client = Client()
    client.force_login(people[name])
    return client


@pytest.mark.parametrize("name", ["dave", "alice", "frank", "carol", "thao"])
def test_people_pages_are_not_found_for_anybody_but_an_officer(people, org, name):
    client = _client(people, name)
    alice = people["alice"].pk
    membership = Membership.objects.get(user=people["alice"]).pk
    for url in ("/people/", "/people/new/", f"/people/{alice}/"):
        assert client.get(url).status_code == 404, url
    posts = {
        "/people/new/": {"full_name": "Lê Văn Mới", "username": "le.moi"},
        f"/people/{alice}/roles/": {"unit": org["A"].pk, "role": "leader"},
        f"/people/{alice}/roles/{membership}/remove/": {"confirm": "1"},
        f"/people/{alice}/active/": {"active": "0"},
        f"/people/{alice}/password/": {"confirm": "1"},
        f"/people/{alice}/details/": {"full_name": "X Y", "email": ""},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    assert not User.objects.filter(username="le.moi").exists()
    alice_now = User.objects.get(pk=alice)
    assert alice_now.is_active and alice_now.check_password("alice-pw")
    assert Membership.objects.filter(pk=membership).exists()


def test_the_list_shows_the_officers_people_appraisers_and_people_without_a_role(people, org):
    page = _client(people, "erin").get("/people/").content.decode()
    for name in ("alice", "bob", "dave", "erin", "carol", "frank", "thao"):
        assert f">{name}<" in page, name
    for name in ("oscar", "olga", "root"):
        assert f">{name}<" not in page, name
    assert "Nguyễn Thị An" in page  # the full name, in the Vietnamese order
    assert "24/11/2026 00:43" in page  # last login, dd/mm/yyyy HH:MM
    assert "Thẩm định viên · <abbr" in page and "Cán bộ đơn vị · <abbr" in page
    # olga sees her department's people, not the Sở Y tế's.
    page = _client(people, "olga").get("/people/").content.decode()
    assert ">oscar<" in page and ">alice<" not in page and ">thao<" in page


def test_the_list_filters_by_name_and_unit(people, org):
    client = _client(people, "erin")
    page = client.get("/people/", {"q": "an nguyen"}).content.decode()
    assert ">alice<" not in page  # "nguyen" without accents does not match "Nguyễn"
    page = client.get("/people/", {"q": "Nguyễn an"}).content.decode()
    assert ">alice<" in page and ">bob<" not in page
    page = client.get("/people/", {"unit": org["B"].pk}).content.decode()
    assert ">bob<" in page and ">alice<" not in page


def test_erin_creates_an_account_and_sees_the_generated_password_once(people, org):
    client = _client(people, "erin")
    response = client.post(
        "/people/new/",
        {
            "full_name": "Trần Thị Thu Hà",
            "username": "tran.ha",
            "email": "",
            "password": "",
            "unit": org["B"].pk,
            "role": "staff",
        },
        follow=True,
    )
    page = response.content.decode()
    user = User.objects.get(username="tran.ha")
    assert (user.last_name, user.first_name) == ("Trần Thị Thu", "Hà")
    password = re.search(r'<code class="password">([^<]+)</code>', page).group(1)
    assert "no-store" in response["Cache-Control"]
    assert _can_log_in("tran.ha", password)
    assert password not in client.get(f"/people/{user.pk}/").content.decode()  # once
    assert list(user.memberships.values_list("unit__code", "role")) == [("B", "staff")]
    assert "Giao vai trò: cán bộ đơn vị của B" in client.get(f"/people/{user.pk}/").content.decode()


def test_a_refused_new_account_keeps_the_entries(people, org):
    client = _client(people, "erin")
    page = client.post(
        "/people/new/",
        {"full_name": "Phạm Văn Dũng", "username": "pham.dung", "password": "12345678"},
    ).content.decode()
    assert not User.objects.filter(username="pham.dung").exists()
    assert 'value="Phạm Văn Dũng"' in page and 'value="pham.dung"' in page
    assert "Mật khẩu" in page and "errorlist" in page
    page = client.post(
        "/people/new/", {"full_name": "Phạm Văn Dũng", "username": "alice"}
    ).content.decode()
    assert "Tên đăng nhập alice đã có người dùng" in page
    # A unit outside erin's subtree is not even a choice.
    client.post(
        "/people/new/",
        {"full_name": "Phạm Văn Dũng", "username": "pham.dung", "unit": org["STC-1"].pk},
    )
    assert not User.objects.filter(username="pham.dung").exists()


@pytest.mark.parametrize("actor", ["erin", "olga"])
@pytest.mark.parametrize("target", ["alice", "oscar", "thao", "root"])
def test_the_person_page_and_its_forms_follow_the_actions(people, org, actor, target):
    """Visible: people of the officer's units, appraisers; manageable: only people wholly in
    the officer's units. A refused change changes nothing and says why."""
    client = _client(people, actor)
    user = people[target]
    own = {"erin": "alice", "olga": "oscar"}[actor]
    visible = target in (own, "thao")
    manageable = target == own
    url = f"/people/{user.pk}/"
    assert client.get(url).status_code == (200 if visible else 404)
    unit = org["A"] if actor == "erin" else org["STC-1"]
    response = client.post(url + "roles/", {"unit": unit.pk, "role": "leader"})
    assert response.status_code == (302 if visible else 404)
    assert user.memberships.filter(unit=unit, role="leader").exists() is visible
    response = client.post(url + "password/", {"password": "", "confirm": "1"}, follow=True)
    user.refresh_from_db()
    assert user.check_password(f"{target}-pw") is not manageable
    if visible:
        page = response.content.decode()
        assert ('<code class="password">' in page) is manageable
    response = client.post(url + "active/", {"active": "0"}, follow=True)
    user.refresh_from_db()
    assert user.is_active is not manageable
    if visible and not manageable:
        assert "ngoài các đơn vị của bạn" in response.content.decode()
    response = client.post(url + "details/", {"full_name": "Hồ Văn Tư", "email": ""})
    user.refresh_from_db()
    assert (accounts.full_name(user) == "Hồ Văn Tư") is manageable
    leader = Membership.objects.filter(user=user, unit=unit, role="leader").first()
    if leader:
        client.post(f"{url}roles/{leader.pk}/remove/", {"confirm": "1"})
        assert not Membership.objects.filter(pk=leader.pk).exists()


def test_erin_cannot_remove_her_last_officer_role_nor_deactivate_herself(people, org):
    client = _client(people, "erin")
    erin = people["erin"]
    own = Membership.objects.get(user=erin, role="officer")
    page = client.post(
        f"/people/{erin.pk}/roles/{own.pk}/remove/", {"confirm": "1"}, follow=True
    ).content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()
    assert "không thể tự thu hồi vai trò công chức phụ trách CCHC cuối cùng" in page
    page = client.get(f"/people/{erin.pk}/").content.decode()
    assert "Bạn không thể vô hiệu hóa tài khoản của chính mình" in page
    client.post(f"/people/{erin.pk}/active/", {"active": "0"})
    erin.refresh_from_db()
    assert erin.is_active


def test_erin_resets_her_own_password_and_stays_logged_in(people, org):
    client = _client(people, "erin")
    erin = people["erin"]
    page = client.post(
        f"/people/{erin.pk}/password/", {"password": "", "confirm": "1"}, follow=True
    ).content.decode()
    password = re.search(r'<code class="password">([^<]+)</code>', page).group(1)
    erin.refresh_from_db()
    assert erin.check_password(password)
    assert client.get("/people/").status_code == 200


def test_deactivated_people_cannot_log_in_and_are_shown_as_such(people, org):
    client = _client(people, "erin")
    alice = people["alice"]
    client.post(f"/people/{alice.pk}/active/", {"active": "0"})
    assert not _can_log_in("alice", "alice-pw")
    assert "đã vô hiệu hóa" in client.get("/people/").content.decode()
    client.post(f"/people/{alice.pk}/active/", {"active": "1"})
    assert _can_log_in("alice", "alice-pw")
    history = client.get(f"/people/{alice.pk}/").content.decode()
    assert "Vô hiệu hóa tài khoản" in history and "Kích hoạt lại tài khoản" in history


def test_a_typed_weak_password_is_refused_beside_the_field(people, org):
    client = _client(people, "erin")
    alice = people["alice"]
    page = client.post(
        f"/people/{alice.pk}/password/", {"password": "alice", "confirm": "1"}
    ).content.decode()
    assert "errorlist" in page and "<code" not in page
    alice.refresh_from_db()
    assert alice.check_password("alice-pw")


def test_the_forms_need_the_csrf_token(people, org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["erin"])
    alice = people["alice"]
    assert client.post(f"/people/{alice.pk}/active/", {"active": "0"}).status_code == 403
    assert client.post("/people/new/", {"full_name": "A B", "username": "ab"}).status_code == 403
    alice.refresh_from_db()
    assert alice.is_active and not User.objects.filter(username="ab").exists()
    page = client.get(f"/people/{alice.pk}/").content.decode()
    assert page.count('name="csrfmiddlewaretoken"') >= 5


def test_the_people_page_takes_a_fixed_number_of_queries(people, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(people, "erin")
    client.get("/people/")

    def count():
        with CaptureQueriesContext(connection) as captured:
            client.get("/people/")
        return len(captured)

    before = count()
    for i in range(10):
        user = User.objects.create_user(f"p{i}")
        Membership.objects.create(user=user, unit=org["A"], role="staff")
        Membership.objects.create(user=user, unit=org["B"], role="leader")
    assert count() == before
    assert reverse("web:people") == "/people/"


# --- issue 7: what the reviewer found ----------------------------------------------------------


def test_every_password_validator_speaks_vietnamese(people, org):
    """Django 5.2's length message has no Vietnamese in Django's catalogue: ours has it."""
    client = _client(people, "erin")
    alice = people["alice"]
    for typed, expected in (
        ("123", "Mật khẩu quá ngắn: cần ít nhất 10 ký tự."),
        ("12345678901", "Mật khẩu này hoàn toàn là số."),
        ("password123", "Mật khẩu này quá phổ biến."),
    ):
        page = client.post(
            f"/people/{alice.pk}/password/", {"password": typed, "confirm": "1"}
        ).content.decode()
        assert expected in page, typed
        assert "This password" not in page and "characters" not in page
    alice.refresh_from_db()
    assert alice.check_password("alice-pw")


def test_a_reset_and_a_removed_role_ask_first_also_without_javascript(people, org):
    client = _client(people, "erin")
    alice = people["alice"]
    url = f"/people/{alice.pk}/"
    page = client.get(url).content.decode()
    # With JavaScript: a dialog (app.js) before the form is sent, with confirm=1.
    assert page.count("data-confirm=") == 2
    assert 'id="confirm-reset"' in page and 'id="confirm-revoke"' in page
    # Without: the server answers with the question, nothing changes yet.
    response = client.post(url + "password/", {"password": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đặt lại mật khẩu của" in page and 'name="confirm" value="1"' in page
    alice.refresh_from_db()
    assert alice.check_password("alice-pw")
    membership = alice.memberships.get()
    response = client.post(f"{url}roles/{membership.pk}/remove/")
    assert response.status_code == 200 and 'name="confirm" value="1"' in response.content.decode()
    assert "Thu hồi vai trò" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    # Confirmed: done.
    assert client.post(f"{url}roles/{membership.pk}/remove/", {"confirm": "1"}).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert client.post(url + "password/", {"password": "", "confirm": "1"}).status_code == 302
    alice.refresh_from_db()
    assert not alice.check_password("alice-pw")


def test_a_refused_reset_is_said_on_the_question_page(people, org):
    client = _client(people, "erin")
    thao = people["thao"]  # an appraiser of another department: visible, not manageable
    page = client.post(f"/people/{thao.pk}/password/", {"password": ""}).content.decode()
    assert 'name="confirm"' not in page and "ngoài các đơn vị của bạn" in page


def _shown_password(page: str) -> str | None:
    found = re.search(r'<code class="password">([^<]+)</code>', page)
    return found.group(1) if found else None


def test_a_one_time_password_is_shown_after_a_redirect_and_only_once(people, org):
    client = _client(people, "erin")
    response = client.post(
        "/people/new/", {"full_name": "Trần Thị Thu Hà", "username": "tran.ha", "password": ""}
    )
    user = User.objects.get(username="tran.ha")
    assert response.status_code == 302 and response["Location"] == f"/people/{user.pk}/"
    page = client.get(response["Location"])
    password = _shown_password(page.content.decode())
    assert password and _can_log_in("tran.ha", password)
    assert "no-store" in page["Cache-Control"]
    assert _shown_password(client.get(response["Location"]).content.decode()) is None  # once
    # Kept server-side only: never in a cookie nor in the address.
    assert all(password not in morsel.value for morsel in client.cookies.values())
    assert password not in response["Location"]

    url = f"/people/{user.pk}/password/"
    response = client.post(url, {"password": "", "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == f"/people/{user.pk}/"
    second = _shown_password(client.get(response["Location"]).content.decode())
    assert second and second != password
    user.refresh_from_db()
    assert user.check_password(second)
    # Another person's page does not show it.
    client.post(url, {"password": "", "confirm": "1"})
    assert _shown_password(client.get(f"/people/{people['alice'].pk}/").content.decode()) is None


def test_a_typed_password_is_never_shown_back(people, org):
    client = _client(people, "erin")
    alice = people["alice"]
    response = client.post(
        f"/people/{alice.pk}/password/", {"password": "Vững-vàng-2026", "confirm": "1"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert _shown_password(page) is None and "Vững-vàng-2026" not in page
    alice.refresh_from_db()
    assert alice.check_password("Vững-vàng-2026")
