"""The registers pages: who sees what, the numbers against the lists behind them, filters,
pages, the Excel export (read back with openpyxl), and no 500 on junk."""

import io
import re
from datetime import date

import openpyxl
import pytest
from django.test import Client

from parindex.domain import indicators as ind
from parindex.domain.numbers import format_number
from parindex.registers.generate import dossiers, write
from parindex.registers.imports import import_register
from parindex.registers.indicators import compute


@pytest.fixture
def register(syt, tmp_path):
    """A generated register of unit A for 2025 (imported through the real import)."""
    path = write(dossiers(400, ["A"], 2025, seed=5), tmp_path / "a.csv")
    import_register("dossiers", path)
    return syt


def client(people, name):
    c = Client()
    c.force_login(people[name])
    return c


@pytest.mark.parametrize(
    ("name", "status"),
    [("alice", 200), ("dave", 200), ("erin", 200), ("bob", 404), ("carol", 404)],
)
def test_who_reads_the_register_of_a(register, people, name, status):
    # alice: staff of A; dave: leader and erin: officer of the Sở above it; bob: staff of B;
    # carol: no role.
    for url in ("/registers/A/2025/", "/registers/A/2025/dossiers/?list=late"):
        assert client(people, name).get(url).status_code == status, (name, url)


def test_every_number_of_the_table_opens_its_dossiers(register, people):
    a = register["A"]
    start, end = ind.period_of_year(2025)
    table = compute([a], start, end)[a.pk].table_06a
    c = client(people, "erin")
    page = c.get("/registers/A/2025/").content.decode()
    for column, name in ind.COLUMN_CLASSES.items():
        assert f"?list={name}" in page
        listed = c.get(f"/registers/A/2025/dossiers/?list={name}")
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == table[column], column


def test_filters_pages_and_export(register, people):
    c = client(people, "alice")
    everything = c.get("/registers/A/2025/dossiers/").context["page"].paginator.count
    online = c.get("/registers/A/2025/dossiers/?channel=2").context["page"].paginator
    assert 0 < online.count < everything
    second = c.get("/registers/A/2025/dossiers/?page=2")
    assert second.status_code == 200 and second.context["page"].number == 2
    code = second.context["page"].object_list[0].code
    found = c.get(f"/registers/A/2025/dossiers/?q={code}").context["page"].paginator.count
    assert found == 1
    response = c.get("/registers/A/2025/dossiers/?channel=2&format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.max_row == online.count + 1
    assert sheet.cell(1, 1).value == "Mã hồ sơ"
    assert sheet.cell(2, 6).is_date


def test_a_period_inside_the_year(register, people):
    c = client(people, "erin")
    response = c.get("/registers/A/2025/?from=01/01/2025&to=31/03/2025")
    assert response.status_code == 200
    a = register["A"]
    table = compute([a], date(2025, 1, 1), date(2025, 3, 31))[a.pk].table_06a
    assert [cell["value"] for cell in response.context["table"]] == [
        table[key] for key, *_rest in ind.TABLE_06A
    ]
    assert len(response.context["monthly"]) == 3


@pytest.mark.parametrize(
    "url",
    [
        "/registers/A/2025/dossiers/?list=bogus",
        "/registers/A/2025/dossiers/?page=abc",
        "/registers/A/2025/dossiers/?channel=9",
        "/registers/A/2025/dossiers/?status=x",
        "/registers/A/2025/?from=32/01/2025",
        "/registers/A/2025/?from=01/02/2025&to=01/01/2025",
        # A period outside the page's year (its title, months and data quality are the year's).
        "/registers/A/2025/?from=01/01/2021&to=31/12/2024",
        "/registers/A/2025/dossiers/?to=31/01/2026",
    ],
)
def test_junk_is_a_400(register, people, url):
    assert client(people, "erin").get(url).status_code == 400


@pytest.mark.parametrize(
    "url", ["/registers/A/1999/", "/registers/NOPE/2025/", "/registers/A/2025/dossiers/?page=999"]
)
def test_junk_is_a_404(register, people, url):
    assert client(people, "erin").get(url).status_code == 404


def test_a_unit_without_a_register_says_so(syt, people):
    response = client(people, "erin").get("/registers/B/2025/")
    assert response.status_code == 200
    assert "Đơn vị chưa có sổ theo dõi hồ sơ" in response.content.decode()


def test_the_index_lists_the_readable_units(register, people):
    page = client(people, "alice").get("/registers/").content.decode()
    assert "/registers/A/2025/" in page and "/registers/B/" not in page
    page = client(people, "erin").get("/registers/").content.decode()
    assert "/registers/A/2025/" in page and "CDC B" in page


def test_the_years_of_a_units_dossiers_are_the_years_stored(syt, tmp_path):
    """The index page probes the (unit, received on) index year by year: the same years as a
    DISTINCT over the stored year of reception, newest first, none for a unit without any."""
    from parindex.registers.indicators import dossier_years
    from parindex.registers.models import Dossier
    from parindex.units.models import Unit

    for year, seed in ((2023, 1), (2025, 2)):
        import_register("dossiers", write(dossiers(60, ["A"], year, seed=seed), tmp_path / "a.csv"))
    stored = sorted(set(Dossier.objects.values_list("year", flat=True)), reverse=True)
    assert {2025, 2023} <= set(stored)  # and the years the generator's dossiers spill into
    a, b = Unit.objects.get(code="A"), Unit.objects.get(code="B")
    assert dossier_years([a.pk, b.pk]) == {a.pk: stored, b.pk: []}


def test_a_rate_opens_the_dossiers_of_its_numerator(register, people):
    c = client(people, "erin")
    page = c.get("/registers/A/2025/")
    postal = next(f for f in page.context["figures"] if f["name"] == "dossiers.postal_share")
    assert postal["list"] == "postal"
    listed = c.get("/registers/A/2025/dossiers/?list=postal").context["page"].paginator.count
    assert postal["parts"].startswith(f"{listed} /")


@pytest.mark.parametrize(
    ("name", "offered"), [("alice", True), ("erin", True), ("dave", False), ("carol", False)]
)
def test_the_import_is_offered_only_to_who_may_import(register, people, name, offered):
    # alice keeps A's registers and erin is the officer; dave (a leader) only reads, carol
    # has no role: a button they could not use is not shown.
    import_page = "/registers/import/"
    c = client(people, name)
    assert (import_page in c.get("/registers/").content.decode()) is offered
    if name != "carol":
        assert (import_page in c.get("/registers/A/2025/").content.decode()) is offered
    assert c.get(import_page).status_code == (200 if offered else 404)


def test_a_register_opened_from_a_link_puts_the_registers_in_the_menu(register, people):
    c = client(people, "alice")  # straight to a register, never through the home page
    first = c.get("/registers/A/2025/").content.decode()
    assert 'href="/registers/"' in first.split("<main", 1)[0]


def test_the_unit_year_page_and_the_other_registers_link_each_other(register, people):
    c = client(people, "alice")
    page = c.get("/registers/A/2025/").content.decode()
    assert (
        "/registers/A/feedback/?year=2025" in page and "/registers/A/plan-tasks/?year=2025" in page
    )
    assert 'href="/registers/A/2025/"' in c.get("/registers/A/feedback/?year=2025").content.decode()


def test_the_units_one_may_import_into_cost_two_queries(
    register, people, django_assert_num_queries
):
    from parindex.registers.access import writable_units

    with django_assert_num_queries(2):  # the memberships and the units, not one per unit
        units = writable_units(people["erin"])
    assert {u.code for u in units} == {"SYT", "A", "B"}


def test_every_part_of_a_figure_opens_the_dossiers_it_counts(register, people):
    # The on-time rate, the 766 points and every rate: the numerator and the denominator
    # each link the list whose length they are, wherever one list holds them.
    c = client(people, "erin")
    figures = {f["name"]: f for f in c.get("/registers/A/2025/").context["figures"]}
    assert figures["dossiers.on_time_rate"]["list"] == "early_or_on_time"
    assert figures["766.progress"]["list"] == "in_time_766"
    assert figures["766.progress"]["denominator_list"] == "received_total"
    linked = 0
    for figure in figures.values():
        for part, name in (
            ("numerator", figure["list"]),
            ("denominator", figure["denominator_list"]),
        ):
            if name:
                listed = c.get(f"/registers/A/2025/dossiers/?list={name}").context["page"]
                assert format_number(listed.paginator.count, 0) == figure[part], (figure, part)
                linked += 1
    assert linked >= 12


def test_points_are_shown_out_of_their_maximum(register, people):
    figures = client(people, "erin").get("/registers/A/2025/").context["figures"]
    progress = next(f for f in figures if f["name"] == "766.progress")
    assert progress["value"].endswith("/20 điểm"), progress["value"]
    online = next(f for f in figures if f["name"] == "766.online")
    assert online["value"].endswith("/6 điểm"), online["value"]


def test_the_monthly_table_writes_percentages_the_vietnamese_way(register, people):
    page = client(people, "erin").get("/registers/A/2025/").content.decode()
    monthly = page[page.index("<th>Tháng</th>") :]
    assert re.search(r"\d+,\d %", monthly), "no decimal comma in the monthly percentages"
    assert not re.search(r"\d+\.\d %", monthly)


def test_an_export_is_named_in_vietnamese_after_its_list(register, people):
    response = client(people, "erin").get("/registers/A/2025/dossiers/?list=late&format=xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="ho-so-tre-han-A-2025.xlsx"'
    whole = client(people, "erin").get("/registers/A/2025/dossiers/?format=xlsx")
    assert whole.status_code == 200 and ".xlsx" in whole["Content-Disposition"]


@pytest.mark.parametrize("withdrawn_on_time", [True, False])
def test_every_list_has_a_title_and_a_file_name(withdrawn_on_time):
    from parindex.registers.indicators import drill_conditions
    from parindex.web.registers import LIST_FILES, LISTS

    options = ind.Options(withdrawn_on_time=withdrawn_on_time)
    names = set(drill_conditions(date(2025, 1, 1), date(2025, 12, 31), options))
    assert names == set(LISTS) == set(LIST_FILES)
    assert len(set(LIST_FILES.values())) == len(LIST_FILES)
    assert all(re.fullmatch(r"[a-z0-9-]+", file) for file in LIST_FILES.values())


def test_a_numerator_no_list_holds_says_so(register, people):
    response = client(people, "erin").get("/registers/A/2025/")
    figures = {f["name"]: f for f in response.context["figures"]}
    assert figures["766.satisfaction"]["list"] is None
    assert figures["766.satisfaction"]["denominator_list"] == "received_total"
    assert 'class="unlinked" title="Không có một danh sách riêng' in response.content.decode()
