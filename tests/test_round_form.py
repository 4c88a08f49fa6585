"""The round form: units picked from the officer's tree (never another department's), one
control for "all units of the Sở", appraisers per unit chosen among the accounts holding the
appraiser role, units already assessed shown with `open_round`'s reason, and every entry
kept when something is refused. Personas as in conftest; gina and hung are appraisers of the
Sở Nội vụ (SNV), another department."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from helpers import make_framework, round_dates

from parindex.assessments.models import Round, UnitAssessment
from parindex.frameworks.services import save_framework
from parindex.units.models import Membership, Unit

pytestmark = pytest.mark.django_db

URL = "/rounds/new/"


@pytest.fixture
def province(people, syt):
    """Besides the Sở Y tế (SYT → A, B): its unit A has a sub-unit A1; the province holds
    another department (STC → STC-1) and the Sở Nội vụ, whose two appraisers (gina, hung) hold
    the appraiser role; carol is given it too, in the Sở Y tế."""
    tinh = Unit.objects.create(code="TINH", name="UBND tỉnh")
    Unit.objects.filter(pk=syt["SYT"].pk).update(parent=tinh)
    a1 = Unit.objects.create(code="A1", name="Khoa khám bệnh A", parent=syt["A"])
    stc = Unit.objects.create(code="STC", name="Sở Tài chính", parent=tinh)
    stc1 = Unit.objects.create(code="STC-1", name="Chi cục thuế", parent=stc)
    snv = Unit.objects.create(code="SNV", name="Sở Nội vụ", parent=tinh)
    for name, full in (("gina", ("Đỗ Thị", "Giang")), ("hung", ("Lê Văn", "Hùng"))):
        user = User.objects.create_user(name, password=f"{name}-pw")
        user.last_name, user.first_name = full
        user.save()
        people[name] = user
        Membership.objects.create(user=user, unit=snv, role="appraiser")
    Membership.objects.create(user=people["carol"], unit=syt["SYT"], role="appraiser")
    framework, _ = save_framework(make_framework(), publish=True)
    return {**syt, "TINH": tinh, "A1": a1, "STC": stc, "STC-1": stc1, "SNV": snv, "fw": framework}


def _login(client, people, name):
    client.force_login(people[name])
    return client


def _post(province, **extra):
    dates = round_dates()
    data = {
        "framework": province["fw"].pk,
        "owner": province["SYT"].pk,
        "title": "CCHC 2024",
        "self_due": dates.self_due.strftime("%d/%m/%Y"),
        "appraisal_due": dates.appraisal_due.strftime("%d/%m/%Y"),
        "explanation_due": dates.explanation_due.strftime("%d/%m/%Y"),
        "appraisal2_due": dates.appraisal2_due.strftime("%d/%m/%Y"),
    }
    data.update(extra)
    return data


def _unit_boxes(page: str) -> dict[str, str]:
    """unit label → the checkbox's attributes, as the page shows them."""
    return {
        label.strip(): attrs
        for attrs, label in re.findall(
            r'<input type="checkbox" name="units" value="\d+"([^>]*)> ([^<]+)</label>', page
        )
    }


def test_the_form_offers_the_officers_subtree_as_a_tree_and_nothing_else(client, people, province):
    page = _login(client, people, "erin").get(URL).content.decode()
    boxes = _unit_boxes(page)
    assert list(boxes) == ["SYT — Sở Y tế", "A — Bệnh viện A", "A1 — Khoa khám bệnh A", "B — CDC B"]
    assert 'class="d-0' in page and 'class="d-1' in page and 'class="d-2' in page  # indented
    assert "STC" not in page and "Sở Tài chính" not in page and "TINH —" not in page
    assert "Tất cả đơn vị của Sở Y tế" in page
    assert "Tự đánh giá CCHC năm 2024 — Sở Y tế" in page  # a default title
    assert page.count('placeholder="dd/mm/yyyy"') == 4


def test_only_accounts_with_the_appraiser_role_are_offered(client, people, province):
    page = _login(client, people, "erin").get(URL).content.decode()
    common = page.split('id="common-appraisers"')[1].split("</fieldset>")[0]
    offered = re.findall(r'name="appraisers" value="(\d+)"', common)
    assert {int(pk) for pk in offered} == {people[n].pk for n in ("carol", "gina", "hung")}
    assert "Đỗ Thị Giang" in common and "Lê Văn Hùng" in common  # full names, Vietnamese order
    for name in ("alice", "bob", "dave", "erin", "frank"):
        assert f'value="{people[name].pk}"' not in common, name
    # Each unit has its own choice among the same accounts.
    a = province["A"].pk
    assert re.findall(rf'name="appraisers-{a}" value="(\d+)"', page) == offered


def test_appraisers_are_assigned_per_unit_the_common_ones_where_none_is_chosen(
    client, people, province
):
    a, b, syt = province["A"], province["B"], province["SYT"]
    data = _post(
        province,
        units=[syt.pk, a.pk, b.pk],
        appraisers=[people["gina"].pk],
        **{f"appraisers-{a.pk}": [people["carol"].pk, people["hung"].pk]},
    )
    response = _login(client, people, "erin").post(URL, data)
    round_ = Round.objects.get(title="CCHC 2024")
    assert response.status_code == 302 and response["Location"] == f"/rounds/{round_.pk}/"
    appraisers = {
        x.unit.code: set(x.appraisers.values_list("username", flat=True))
        for x in round_.assessments.select_related("unit")
    }
    assert appraisers == {"SYT": {"gina"}, "A": {"carol", "hung"}, "B": {"gina"}}


def test_a_non_appraiser_posted_as_appraiser_is_refused(client, people, province):
    a = province["A"]
    data = _post(province, units=[a.pk], **{f"appraisers-{a.pk}": [people["frank"].pk]})
    page = _login(client, people, "erin").post(URL, data).content.decode()
    assert "thẩm định viên" in page and not Round.objects.exists()
    data = _post(province, units=[a.pk], appraisers=[people["frank"].pk])
    assert _login(client, people, "erin").post(URL, data).status_code == 200
    assert not Round.objects.exists()


def test_a_unit_of_another_department_is_refused_if_posted(client, people, province):
    data = _post(province, units=[province["A"].pk, province["STC-1"].pk])
    page = _login(client, people, "erin").post(URL, data).content.decode()
    assert not Round.objects.exists()
    assert "errorlist" in page


def test_all_units_of_the_owner_without_javascript(client, people, province):
    data = _post(province, all_units="1")
    _login(client, people, "erin").post(URL, data)
    round_ = Round.objects.get()
    codes = sorted(round_.assessments.values_list("unit__code", flat=True))
    assert codes == ["A", "A1", "B", "SYT"]


def test_units_already_assessed_are_shown_disabled_with_the_actions_reason(
    client, people, province
):
    _login(client, people, "erin").post(URL, _post(province, units=[province["A"].pk]))
    assert UnitAssessment.objects.filter(unit=province["A"]).count() == 1
    page = client.get(URL).content.decode()
    boxes = _unit_boxes(page)
    assert "disabled" in boxes["A — Bệnh viện A"] and "disabled" not in boxes["B — CDC B"]
    assert "A đã được đánh giá theo “Bộ chỉ số thử” (2024) trong đợt “CCHC 2024”" in page
    assert "t-2024" not in page  # the framework is named, never by its code
    # "All units" leaves it out rather than failing.
    _login(client, people, "erin").post(URL, _post(province, title="Đợt 2", all_units="1"))
    second = Round.objects.get(title="Đợt 2")
    assert sorted(second.assessments.values_list("unit__code", flat=True)) == ["A1", "B", "SYT"]


def test_a_refused_round_keeps_every_entry(client, people, province):
    a, b = province["A"], province["B"]
    _login(client, people, "erin").post(URL, _post(province, units=[a.pk]))
    data = _post(
        province,
        title="Đợt bổ sung",
        units=[a.pk, b.pk],  # A is taken: open_round refuses with its message
        appraisers=[people["gina"].pk],
        **{f"appraisers-{b.pk}": [people["hung"].pk]},
    )
    page = client.post(URL, data).content.decode()
    assert Round.objects.count() == 1
    assert "Mỗi đơn vị chỉ có một bản đánh giá theo mỗi bộ tiêu chí" in page
    assert "A đã được đánh giá theo “Bộ chỉ số thử” (2024) trong đợt “CCHC 2024”" in page
    assert 'value="Đợt bổ sung"' in page
    assert f'value="{round_dates().self_due.strftime("%d/%m/%Y")}"' in page
    boxes = _unit_boxes(page)
    assert "checked" in boxes["B — CDC B"]
    assert re.search(rf'name="appraisers-{b.pk}" value="{people["hung"].pk}" checked', page)
    common = page.split('id="common-appraisers"')[1].split("</fieldset>")[0]
    assert re.search(rf'value="{people["gina"].pk}" checked', common)
    assert "Lê Văn Hùng" in page.split(f'name="appraisers-{b.pk}"')[0].rsplit("<summary>", 1)[1]


def test_dates_out_of_order_are_refused_with_the_entries_kept(client, people, province):
    dates = round_dates()
    data = _post(
        province,
        units=[province["B"].pk],
        appraisal_due=dates.self_due.isoformat(),
        self_due=dates.appraisal_due.isoformat(),
    )
    page = _login(client, people, "erin").post(URL, data).content.decode()
    assert not Round.objects.exists()
    assert "Các thời hạn phải theo thứ tự" in page
    assert "checked" in _unit_boxes(page)["B — CDC B"]


def test_a_refresh_shows_the_form_again_without_opening_or_errors(client, people, province):
    Membership.objects.create(user=people["erin"], unit=province["STC"], role="officer")
    data = _post(province, owner=province["STC"].pk, title="", refresh="1")
    page = _login(client, people, "erin").post(URL, data).content.decode()
    assert not Round.objects.exists() and "errorlist" not in page
    assert list(_unit_boxes(page)) == ["STC — Sở Tài chính", "STC-1 — Chi cục thuế"]
    assert "Tất cả đơn vị của Sở Tài chính" in page
    assert "Tự đánh giá CCHC năm 2024 — Sở Tài chính" in page  # the default follows
    # A title of the user's own stays.
    data = _post(province, owner=province["STC"].pk, title="Đợt riêng", refresh="1")
    assert 'value="Đợt riêng"' in client.post(URL, data).content.decode()


@pytest.mark.parametrize("name", ["alice", "carol", "dave", "frank", "gina"])
def test_only_a_cchc_officer_gets_the_form(client, people, province, name):
    client.force_login(people[name])
    assert client.get(URL).status_code == 404
    assert client.post(URL, _post(province, units=[province["A"].pk])).status_code == 404
    assert not Round.objects.exists()


def test_the_form_takes_a_fixed_number_of_queries(client, people, province):
    _login(client, people, "erin").get(URL)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    before = count()
    for i in range(12):
        Unit.objects.create(code=f"X{i}", name=f"Đơn vị {i}", parent=province["B"])
        user = User.objects.create_user(f"td{i}")
        Membership.objects.create(user=user, unit=province["SNV"], role="appraiser")
    assert count() == before


def test_the_menu_offers_people_to_officers_only(client, people, province):
    page = _login(client, people, "erin").get("/").content.decode()
    assert reverse("web:people") in page
    for name in ("alice", "dave", "gina"):
        assert reverse("web:people") not in _login(client, people, name).get("/").content.decode()


def test_deadlines_are_read_and_written_day_first_whatever_the_browser(client, people, province):
    page = _login(client, people, "erin").get(URL).content.decode()
    field = re.search(r'<input[^>]*name="self_due"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'placeholder="dd/mm/yyyy"' in field
    assert 'inputmode="numeric"' in field and "pattern=" in field
    # 03/04 is the 3rd of April, never the 4th of March; ISO dates are still read.
    year = round_dates().appraisal2_due.year + 1
    data = _post(
        province,
        units=[province["B"].pk],
        explanation_due=f"{year + 1}-01-05",
        appraisal2_due=f"03/04/{year + 1}",
    )
    assert client.post(URL, data).status_code == 302
    round_ = Round.objects.get()
    assert round_.appraisal2_due.isoformat() == f"{year + 1}-04-03"
    assert round_.explanation_due.isoformat() == f"{year + 1}-01-05"
    refused = client.post(URL, _post(province, self_due="31/02/2025")).content.decode()
    assert "errorlist" in refused and 'value="31/02/2025"' in refused


def test_the_evidence_date_is_day_first_too():
    from parindex.web.forms import EvidenceForm

    form = EvidenceForm(initial={"issued_on": "2026-11-03"})
    html = str(form["issued_on"])
    assert 'type="text"' in html and 'placeholder="dd/mm/yyyy"' in html
    form = EvidenceForm({"title": "QĐ", "issued_on": "03/11/2026"}, {"file": None})
    form.is_valid()
    assert form.cleaned_data["issued_on"].isoformat() == "2026-11-03"


def test_frameworks_are_offered_by_year_and_title_not_by_code(client, people, province):
    page = _login(client, people, "erin").get(URL).content.decode()
    select = page.split('name="framework"')[1].split("</select>")[0]
    assert ">2024 — Bộ chỉ số thử<" in select and "t-2024" not in select
