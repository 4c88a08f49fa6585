"""Importing a register from the web: the upload, the background job (django-tasks, run for
real: the immediate backend, and once the database backend's worker), the page of the import,
who may import what, and the refusals."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from parindex.registers import small
from parindex.registers.generate import dossiers, write
from parindex.registers.models import Dossier, PlanTask, RegisterImport

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PLAN = "Năm,STT,Nội dung\n2025,1,Kế hoạch\n2025,2,Tuyên truyền\n"


def client(people, name):
    c = Client()
    c.force_login(people[name])
    return c


def csv_file(text, name="r.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


def test_an_upload_is_imported_by_the_job(
    syt, people, tmp_path, settings, immediate, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    path = write(dossiers(200, ["A"], 2025, seed=3), tmp_path / "a.csv")
    c = client(people, "alice")  # staff of A
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(
            "/registers/import/",
            {"kind": "dossiers", "unit": "A", "file": csv_file(path.read_text(), "so-a.csv")},
        )
    assert response.status_code == 302
    batch = RegisterImport.objects.get()
    assert batch.state == "done" and batch.created == 200 and batch.name == "so-a.csv"
    assert Dossier.objects.filter(unit=syt["A"]).count() == 200
    page = c.get(response["Location"])
    assert page.status_code == 200 and "200" in page.content.decode()
    assert not page.context["running"]


def test_a_refused_file_shows_its_problems_and_writes_nothing(
    syt, people, tmp_path, settings, immediate, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    c = client(people, "alice")
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(
            "/registers/import/",
            {"kind": "plan-tasks", "unit": "A", "file": csv_file(PLAN + "2025,3,\n")},
        )
    batch = RegisterImport.objects.get()
    assert batch.state == "failed" and not PlanTask.objects.exists()
    page = c.get(response["Location"])
    assert [p["row"] for p in page.context["problems"]] == [4]
    # The column by the header a person wrote in the file, its canonical name beside it.
    assert '<td data-label="Cột">Nội dung (<code>noi_dung</code>)</td>' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(
            "/registers/import/",
            {
                "kind": "plan-tasks",
                "unit": "A",
                "skip_invalid": "1",
                "file": csv_file(PLAN + "2025,3,\n"),
            },
        )
    page = c.get(response["Location"])
    assert page.context["rejected"]
    download = c.get(response["Location"] + "rejected.csv")
    assert download.status_code == 200
    text = b"".join(download.streaming_content).decode("utf-8-sig")
    names = [column.name for column in small.PLAN_TASKS.columns]
    assert text.splitlines()[0] == ",".join(["dong", *names, "ly_do"])
    assert text.splitlines()[1].startswith("4,2025,3,,") and ",Nội dung: " in text
    assert PlanTask.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_job(syt, people, tmp_path, settings):
    # The production path: the job waits in the database until the worker takes it.
    settings.DATA_DIR = tmp_path
    c = client(people, "erin")  # the officer
    response = c.post(
        "/registers/import/", {"kind": "plan-tasks", "unit": "A", "file": csv_file(PLAN)}
    )
    assert response.status_code == 302
    batch = RegisterImport.objects.get()
    assert batch.state == "queued"
    assert c.get(response["Location"]).context["running"]
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    batch.refresh_from_db()
    assert batch.state == "done" and batch.created == 2
    assert not c.get(response["Location"]).context["running"]


@pytest.mark.parametrize(("name", "status"), [("bob", 400), ("dave", 404), ("carol", 404)])
def test_who_may_import_into_a(syt, people, tmp_path, settings, immediate, name, status):
    # bob: staff of B (not A); dave: leader (reads only); carol: no role.
    settings.DATA_DIR = tmp_path
    response = client(people, name).post(
        "/registers/import/", {"kind": "plan-tasks", "unit": "A", "file": csv_file(PLAN)}
    )
    assert response.status_code == status
    assert not RegisterImport.objects.exists()


def test_refusals_before_anything_is_stored(syt, people, tmp_path, settings, immediate):
    settings.DATA_DIR = tmp_path
    c = client(people, "alice")
    bad = c.post("/registers/import/", {"kind": "nope", "unit": "A", "file": csv_file(PLAN)})
    assert bad.status_code == 400
    pdf = c.post(
        "/registers/import/",
        {"kind": "plan-tasks", "unit": "A", "file": SimpleUploadedFile("x.pdf", b"%PDF")},
    )
    assert pdf.status_code == 400
    # Staff give the unit; only the officer imports a file whose rows name their units.
    nounit = c.post("/registers/import/", {"kind": "dossiers", "file": csv_file(PLAN)})
    assert nounit.status_code == 400
    assert not RegisterImport.objects.exists()
    settings.MAX_REQUEST_BODY_BYTES = 1000
    big = c.post(
        "/registers/import/", {"kind": "plan-tasks", "unit": "A", "file": csv_file("x" * 5000)}
    )
    assert big.status_code == 413


def test_only_the_uploader_and_the_officer_see_an_import(
    syt, people, tmp_path, settings, immediate, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = client(people, "alice").post(
            "/registers/import/", {"kind": "plan-tasks", "unit": "A", "file": csv_file(PLAN)}
        )
    url = response["Location"]
    assert client(people, "erin").get(url).status_code == 200
    assert client(people, "bob").get(url).status_code == 404
    assert client(people, "alice").get("/registers/import/999/").status_code == 404


def test_a_broken_file_is_named_as_the_person_chose_it(
    syt, people, tmp_path, settings, immediate, django_capture_on_commit_callbacks
):
    settings.DATA_DIR = tmp_path
    broken = SimpleUploadedFile("sổ hỏng.xlsx", b"not a workbook", content_type="application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        response = client(people, "alice").post(
            "/registers/import/", {"kind": "dossiers", "unit": "A", "file": broken}
        )
    page = client(people, "alice").get(response["Location"]).content.decode()
    batch = RegisterImport.objects.get()
    assert batch.state == "failed"
    # Stored privately under its own name (in a folder of its own), so the reason names it.
    assert "sổ_hỏng.xlsx" in page and batch.path.endswith("/sổ_hỏng.xlsx")


def test_the_import_page_lists_each_registers_columns(syt, people):
    # From the column definitions the import reads: every register, its required columns
    # first, then all of its columns with their header, canonical name and content.
    from parindex.registers.dossiers import COLUMNS

    page = client(people, "alice").get("/registers/import/")
    assert page.status_code == 200
    formats = {f["kind"]: f for f in page.context["formats"]}
    assert set(formats) == {"dossiers", *small.FORMATS}
    dossier = formats["dossiers"]
    assert [c["name"] for c in dossier["columns"]] == [c.name for c in COLUMNS]
    assert [c["name"] for c in dossier["required"]] == [c.name for c in COLUMNS if c.required]
    html = page.content.decode()
    assert "Mã hồ sơ (<code>ma_ho_so</code>)" in html
    assert 'id="format-plan-tasks"' in html and "ngày dd/mm/yyyy" in html
    assert "số nguyên từ 2000 đến 2100" in html  # a year, without a thousands separator
    # Staff of a unit import their own unit's files: the server's command is not theirs.
    assert "parindex registers import" not in html
    officer = client(people, "erin").get("/registers/import/").content.decode()
    assert "parindex registers import" in officer
