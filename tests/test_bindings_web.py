"""The grid and criteria scored from the registers (issue 8, item 5): a computed value is
marked as such with its numbers as explanation, a criterion without data says so instead of
scoring 0, and a figure typed over the registers' is refused without a reason and shown as an
override with the registers' figure beside it."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from helpers import round_dates
from test_bindings import add_dossiers, bound_framework, entries

from parindex.assessments.actions import open_round
from parindex.assessments.models import UnitAssessment
from parindex.frameworks.services import save_framework

pytestmark = pytest.mark.django_db


def grid_page(client, people, round_, name="alice", code="A", language="vi"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(people[name])
    pk = UnitAssessment.objects.get(round=round_, unit__code=code).pk
    response = client.get(reverse("web:grid", args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def row_html(page, code):
    start = page.index(f'id="row-{code}"')
    return page[start : page.index("</tr>", start)]


def row_text(page, code):
    html = row_html(page, code)
    html = re.sub(r"<(input|button)[^>]*>", " ", html)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def big_round(people, syt, django_capture_on_commit_callbacks):
    """A bound round opened when A's register holds 2.279 dossiers, 250 of them by post."""
    add_dossiers(syt["A"], 2279, postal=250)
    framework, _ = save_framework(bound_framework(), publish=True)
    with django_capture_on_commit_callbacks(execute=True):
        return open_round(
            people["erin"],
            framework=framework,
            owner=syt["SYT"],
            title="CCHC 2024",
            dates=round_dates(),
            units=[syt["A"], syt["B"]],
        )


def test_a_computed_value_is_marked_and_explained_by_its_numbers(client, people, big_round):
    row = row_text(grid_page(client, people, big_round), "1.2")
    assert "tính từ sổ theo dõi" in row  # the marker, in Vietnamese
    assert "2.279" in row and "250" in row and "= 10,97 %" in row
    english = row_text(grid_page(client, people, big_round, language="en"), "1.2")
    assert "computed from a register: 2.279 dossiers, 250 by post = 10,97 %" in english
    assert "no figures in the registers" not in english


def test_a_criterion_without_data_says_so_instead_of_scoring_zero(client, people, big_round):
    row = row_text(grid_page(client, people, big_round, language="en"), "2.2")
    assert "no figures in the registers yet: Số báo cáo trễ hạn" in row
    assert "computed from a register" not in row
    b = row_text(grid_page(client, people, big_round, "bob", "B", language="en"), "1.2")
    assert "no figures in the registers yet: Số hồ sơ qua bưu chính, Số hồ sơ tiếp nhận" in b
    assert "not scored yet" in b  # counted as empty, not as a 0 that looks scored


def test_typing_over_the_registers_needs_a_reason_and_shows_as_an_override(
    client, people, big_round
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(people["alice"])
    a = UnitAssessment.objects.get(round=big_round, unit__code="A")
    url = reverse("web:value", args=[a.pk, "dossiers.postal"])
    version = entries("A")["dossiers.postal"].version
    form = {"value": "300", "version": version, "code": "1.2"}
    assert 'name="reason"' not in row_html(grid_page(client, people, big_round), "1.2")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    refused = client.post(url, form)
    assert refused.status_code == 422
    assert "is computed from the registers (250)" in row_text(refused.content.decode(), "1.2")
    assert 'name="reason"' in row_html(refused.content.decode(), "1.2")  # now asked for
    assert entries("A")["dossiers.postal"].value == 250
    saved = client.post(url, {**form, "reason": "Bưu điện tỉnh xác nhận 300 hồ sơ"})
    assert saved.status_code == 302
    row = row_text(grid_page(client, people, big_round, language="en"), "1.2")
    assert "overrides the registers" in row
    assert "the registers give 250: Bưu điện tỉnh xác nhận 300 hồ sơ" in row
    # The figures the criterion is scored from are the person's; the registers' stay beside.
    assert "2.279 dossiers, 250 by post = 10,97 %" in row
