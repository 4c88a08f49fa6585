"""The officer's tools in Debian's Chromium, on a laptop and on a phone: erin opens a round
from the tree ("all units of the Sở", one unit left out, an appraiser of its own for one
unit, a common one for the rest), then creates an account with a role and gives it a second
one. No page scrolls sideways; screenshots for the reviewer."""

import browser as browser_support
import pytest
from django.contrib.auth.models import User
from helpers import make_framework, round_dates

from parindex.assessments.models import Round
from parindex.frameworks.services import save_framework
from parindex.units.models import Membership, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"laptop": browser_support.LAPTOP, "phone": browser_support.PHONE}


@pytest.fixture
def setting(people, syt):
    save_framework(make_framework(), publish=True)
    snv = Unit.objects.create(code="SNV", name="Sở Nội vụ")
    gina = User.objects.create_user("gina", first_name="Giang", last_name="Đỗ Thị")
    Membership.objects.create(user=gina, unit=snv, role="appraiser")
    Membership.objects.create(user=people["carol"], unit=syt["SYT"], role="appraiser")
    stc = Unit.objects.create(code="STC", name="Sở Tài chính")
    Unit.objects.create(code="STC-1", name="Chi cục thuế", parent=stc)
    Membership.objects.create(user=people["erin"], unit=stc, role="officer")
    return {**syt, "STC": stc, "gina": gina}


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_erin_opens_a_round_from_the_tree_and_manages_people(
    browser, live_server, people, setting, size
):
    erin = browser_support.Persona(browser, live_server, "erin", viewport=SIZES[size])
    page = erin.page
    page.click("nav a:has-text('Người dùng')")  # the officer's menu
    page.wait_for_selector("table.people")
    page.goto(f"{erin.url}/")
    page.click("a.button:has-text('Mở đợt đánh giá')")
    page.wait_for_selector("#round-form")
    # HTMX (a deferred script) must have bound the form before a change can reload it.
    page.wait_for_load_state("load")
    page.select_option("#id_owner", label="SYT — Sở Y tế")
    page.wait_for_selector("text=Tất cả đơn vị của Sở Y tế")
    erin.assert_fits("the round form")
    boxes = page.locator("ul.unit-tree input[name=units]")
    assert boxes.count() == 3  # SYT, A, B: never the Sở Tài chính's units
    assert "STC" not in page.locator("ul.unit-tree").inner_text()

    # Another department of erin's: HTMX brings its tree; then back to the Sở Y tế.
    page.select_option("#id_owner", label="STC — Sở Tài chính")
    page.wait_for_selector("text=Tất cả đơn vị của Sở Tài chính")
    assert "STC-1 — Chi cục thuế" in page.locator("ul.unit-tree").inner_text()
    assert page.input_value("#id_title") == "Tự đánh giá CCHC năm 2024 — Sở Tài chính"
    page.select_option("#id_owner", label="SYT — Sở Y tế")
    page.wait_for_selector("text=Tất cả đơn vị của Sở Y tế")
    assert page.input_value("#id_title") == "Tự đánh giá CCHC năm 2024 — Sở Y tế"

    page.fill("#id_title", "Đợt thử nghiệm")
    dates = round_dates()
    for field in ("self_due", "appraisal_due", "explanation_due", "appraisal2_due"):
        page.fill(f"#id_{field}", getattr(dates, field).strftime("%d/%m/%Y"))
    page.check("text=Tất cả đơn vị của Sở Y tế")
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.uncheck("label:has-text('B — CDC B') input")
    assert not page.is_checked("input[name=all_units]")  # no longer all of them
    page.check("#common-appraisers label:has-text('Đỗ Thị Giang') input")
    unit_a = page.locator("ul.unit-tree li", has_text="A — Bệnh viện A")
    unit_a.locator("summary").click()
    unit_a.locator("label:has-text('carol') input").check()
    assert unit_a.locator("summary .chosen").inner_text() == "carol"
    erin.shoot(f"round-form-{size}")
    page.click("#round-form button[type=submit]:has-text('Mở đợt đánh giá')")
    page.wait_for_selector("text=Đã mở đợt “Đợt thử nghiệm”")
    round_ = Round.objects.get(title="Đợt thử nghiệm")
    appraisers = {
        a.unit.code: set(a.appraisers.values_list("username", flat=True))
        for a in round_.assessments.select_related("unit")
    }
    assert appraisers == {"SYT": {"gina"}, "A": {"carol"}}

    # People: a new account with a first role, then a second role on its page.
    erin.goto("/people/")
    erin.assert_fits("the people page")
    erin.shoot(f"people-{size}")
    page.click("a.button:has-text('Thêm tài khoản')")
    page.fill("#id_full_name", "Hoàng Thị Mai")
    page.fill("#id_username", "hoang.mai")
    page.select_option("#id_unit", label="\u00a0\u00a0A — Bệnh viện A")
    page.select_option("#id_role", "leader")
    erin.assert_fits("the new account form")
    page.click("main form button[type=submit]")
    page.wait_for_selector("code.password")
    password = page.inner_text("code.password")
    erin.assert_fits("the new account's page")
    erin.shoot(f"person-created-{size}")
    mai = User.objects.get(username="hoang.mai")
    assert (mai.last_name, mai.first_name) == ("Hoàng Thị", "Mai") and mai.check_password(password)
    page.select_option("form.add-role select[name=role]", "appraiser")
    page.select_option("form.add-role select[name=unit]", label="SYT — Sở Y tế")
    page.click("form.add-role button[type=submit]")
    page.wait_for_selector("text=Đã giao vai trò.")
    assert set(mai.memberships.values_list("unit__code", "role")) == {
        ("A", "leader"),
        ("SYT", "appraiser"),
    }
    assert page.locator("code.password").count() == 0  # shown once
    erin.assert_fits("the account's page")
    erin.shoot(f"person-{size}")

    assert erin.violations == [], "\n".join(erin.violations)
    erin.close()


def test_the_person_page_fits_a_phone_and_asks_before_a_reset(browser, live_server, people, syt):
    """Long unit names in the role form's select; the reset and the removal of a role ask in
    a dialog first."""
    Unit.objects.create(
        code="TTKSBT",
        name="Trung tâm Kiểm soát bệnh tật tỉnh — Khoa Phòng chống bệnh truyền nhiễm và HIV/AIDS",
        parent=syt["SYT"],
    )
    alice = people["alice"]
    erin = browser_support.Persona(browser, live_server, "erin", viewport=browser_support.PHONE)
    page = erin.page
    erin.goto(f"/people/{alice.pk}/")
    erin.assert_fits("a person's page with long unit names")
    erin.shoot("person-phone-long-units")
    page.click("form.reset-password button[type=submit]")
    dialog = page.locator("dialog#confirm-reset")
    dialog.wait_for(state="visible")
    assert "Đặt lại mật khẩu của" in dialog.inner_text()
    erin.assert_fits("the reset dialog")
    dialog.locator("[data-confirm-cancel]").click()
    alice.refresh_from_db()
    assert alice.check_password("alice-pw")  # cancelled: nothing changed
    page.click("form.reset-password button[type=submit]")
    dialog.locator("[data-confirm-ok]").click()
    page.wait_for_selector("code.password")
    assert "/password/" not in page.url  # redirected: a reload sends nothing again
    password = page.inner_text("code.password")
    alice.refresh_from_db()
    assert alice.check_password(password)
    page.reload()
    assert page.locator("code.password").count() == 0
    page.click("ul.roles form button[type=submit]")
    page.locator("dialog#confirm-revoke").wait_for(state="visible")
    page.locator("dialog#confirm-revoke [data-confirm-ok]").click()
    page.wait_for_selector("text=Đã thu hồi vai trò.")
    assert not alice.memberships.exists()
    assert erin.violations == [], "\n".join(erin.violations)
    erin.close()
