"""Replacing a document's template: a CCHC officer uploads a Word template for one year or
every year; the newest for the framework's year is in force; an unknown placeholder or a file
that is no Word document is refused by name; withdrawing it brings the one before back."""

import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parindex.assessments.errors import ActionRefused
from parindex.documents import builtin, templates_admin
from parindex.documents.models import DocumentTemplate
from parindex.documents.render import generate

pytestmark = pytest.mark.django_db


def template(note: str) -> SimpleUploadedFile:
    """The shipped results letter with one paragraph added."""
    document = docx.Document(str(builtin.path_of("results-letter")))
    document.add_paragraph(note)
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile("mau-cong-van.docx", out.getvalue())


def letter_text(plan_demo) -> str:
    data, _name = generate("results-letter", plan_demo["framework"], plan_demo["units"]["SYT"])
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


def test_the_newest_template_for_the_year_is_in_force(plan_demo):
    erin = plan_demo["people"]["erin"]
    templates_admin.upload(erin, "results-letter", None, template("Mẫu chung {{ unit_code }}"))
    assert "Mẫu chung SYT" in letter_text(plan_demo)
    templates_admin.upload(erin, "results-letter", 2022, template("Mẫu năm {{ year }}"))
    assert "Mẫu năm 2022" in letter_text(plan_demo)
    templates_admin.upload(erin, "results-letter", 2023, template("Mẫu 2023"))
    assert "Mẫu năm 2022" in letter_text(plan_demo)  # so-2022 reads its own year's
    newest = DocumentTemplate.objects.get(year=2022)
    templates_admin.withdraw(erin, newest)
    assert "Mẫu chung SYT" in letter_text(plan_demo)
    for upload in DocumentTemplate.objects.all():
        templates_admin.withdraw(erin, upload)
    text = letter_text(plan_demo)
    assert "Mẫu" not in text and "1. Kết quả chung" in text  # the shipped one


def test_an_unknown_placeholder_is_refused_with_its_name(plan_demo):
    with pytest.raises(ActionRefused, match="does not fill: tong_diem"):
        templates_admin.upload(
            plan_demo["people"]["erin"], "results-letter", None, template("{{ tong_diem }}")
        )
    assert not DocumentTemplate.objects.exists()


def test_a_file_that_is_no_word_document_is_refused(plan_demo):
    pdf = SimpleUploadedFile("mau.docx", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")
    with pytest.raises(ActionRefused, match="is not a Word document"):
        templates_admin.upload(plan_demo["people"]["erin"], "results-letter", None, pdf)


@pytest.mark.parametrize("name", ["dave", "alice", "frank"])
def test_only_an_officer_replaces_templates(plan_demo, name, client):
    with pytest.raises(ActionRefused, match="only a CCHC officer"):
        templates_admin.upload(plan_demo["people"][name], "results-letter", None, template("x"))
    client.force_login(plan_demo["people"][name])
    assert client.get("/documents/templates/").status_code == 404


def test_the_templates_page(client, plan_demo):
    client.force_login(plan_demo["people"]["erin"])
    page = client.get("/documents/templates/").content.decode()
    assert "Mẫu văn bản" in page and "signer_name" in page
    shipped = client.get("/documents/templates/results-letter/")
    assert docx.Document(io.BytesIO(shipped.content)).tables  # the template, to edit
    response = client.post(
        "/documents/templates/",
        {
            "kind": "results-letter",
            "year": "",
            "document_language": "vi",
            "file": template("{{ tong_diem }}"),
        },
    )
    assert response.status_code == 422 and "tong_diem" in response.content.decode()
    response = client.post(
        "/documents/templates/",
        {
            "kind": "results-letter",
            "year": "2022",
            "document_language": "vi",
            "file": template("Ghi chú"),
        },
        follow=True,
    )
    assert "mau-cong-van.docx" in response.content.decode()
    assert DocumentTemplate.objects.get().year == 2022
    english = client.get("/documents/templates/results-letter/?language=en")
    assert 'filename="results-letter-template-en.docx"' in english["Content-Disposition"]
    assert "SOCIALIST REPUBLIC" in "\n".join(
        c.text for t in docx.Document(io.BytesIO(english.content)).tables for c in t._cells
    )
    assert client.get("/documents/templates/results-letter/?language=fr").status_code == 404
    upload = DocumentTemplate.objects.get()
    page = client.post("/documents/templates/", {"withdraw": upload.pk}, follow=True)
    upload.refresh_from_db()
    assert upload.withdrawn_by == plan_demo["people"]["erin"] and upload.withdrawn_at
    when = timezone.localtime(upload.withdrawn_at).strftime("%d/%m/%Y")
    assert f"đã thu hồi {when}, erin" in page.content.decode()


def english_template(note: str) -> SimpleUploadedFile:
    document = docx.Document(str(builtin.path_of("results-letter", "en")))
    document.add_paragraph(note)
    out = io.BytesIO()
    document.save(out)
    return SimpleUploadedFile("letter-en.docx", out.getvalue())


def test_a_template_serves_its_own_language(plan_demo):
    erin = plan_demo["people"]["erin"]
    framework, syt = plan_demo["framework"], plan_demo["units"]["SYT"]
    templates_admin.upload(
        erin, "results-letter", None, english_template("Our {{ unit_code }}"), "en"
    )
    english, _name = generate("results-letter", framework, syt, language="en")
    assert "Our SYT" in "\n".join(p.text for p in docx.Document(io.BytesIO(english)).paragraphs)
    assert "Our SYT" not in letter_text(plan_demo)  # the Vietnamese one is still shipped
    with pytest.raises(ActionRefused, match="no templates in"):
        templates_admin.upload(erin, "results-letter", None, template("x"), "fr")


def test_a_template_whose_file_went_missing_is_named_not_a_server_error(plan_demo, client):
    erin = plan_demo["people"]["erin"]
    upload = templates_admin.upload(erin, "results-letter", None, template("Mẫu chung"))
    upload.file.storage.delete(upload.file.name)
    with pytest.raises(ActionRefused, match=r"mau-cong-van\.docx.*lost its file"):
        letter_text(plan_demo)
    client.force_login(plan_demo["people"]["dave"])
    response = client.get("/documents/results-letter/so-2022/SYT/", follow=True)
    assert response.status_code == 200 and "mau-cong-van.docx" in response.content.decode()
    client.force_login(erin)
    response = client.get("/documents/templates/results-letter/", follow=True)
    assert response.status_code == 200 and "mau-cong-van.docx" in response.content.decode()
    templates_admin.withdraw(erin, upload)
    assert "1. Kết quả chung" in letter_text(plan_demo)  # the shipped one again


def signature_of(plan_demo, language="vi") -> list[str]:
    data, _name = generate(
        "results-letter", plan_demo["framework"], plan_demo["units"]["SYT"], language=language
    )
    cell = docx.Document(io.BytesIO(data)).tables[-1].rows[0].cells[1]
    return [p.text for p in cell.paragraphs if p.text.strip()]


def test_the_signer_of_a_units_documents(plan_demo):
    erin, syt = plan_demo["people"]["erin"], plan_demo["units"]["SYT"]
    assert signature_of(plan_demo) == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "dave"]  # the default
    templates_admin.set_signer(
        erin, syt, authority="  kt. giám   đốc ", title="phó giám đốc", name="Lê  Văn Bình"
    )
    assert signature_of(plan_demo) == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lê Văn Bình"]
    templates_admin.set_signer(erin, syt, authority="", title="Giám đốc", name="Trần Văn Minh")
    assert signature_of(plan_demo) == ["GIÁM ĐỐC", "Trần Văn Minh"]  # no empty authority line
    assert signature_of(plan_demo, "en") == ["GIÁM ĐỐC", "Trần Văn Minh"]  # as recorded
    with pytest.raises(ActionRefused, match="a title and a name"):
        templates_admin.set_signer(erin, syt, authority="", title=" ", name="X")
    with pytest.raises(ActionRefused, match="too long"):
        templates_admin.set_signer(erin, syt, authority="", title="GĐ", name="x" * 201)
    templates_admin.clear_signer(erin, syt)
    assert signature_of(plan_demo) == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "dave"]


@pytest.mark.parametrize("name", ["dave", "alice", "bob", "carol", "frank"])
def test_only_an_officer_sets_the_signer(plan_demo, name, client):
    from parindex.documents.models import DocumentSigner

    person, syt = plan_demo["people"][name], plan_demo["units"]["SYT"]
    with pytest.raises(ActionRefused, match="only a CCHC officer"):
        templates_admin.set_signer(person, syt, authority="", title="GĐ", name="X")
    with pytest.raises(ActionRefused, match="only a CCHC officer"):
        templates_admin.clear_signer(person, syt)
    client.force_login(person)
    fields = {"signer-unit": syt.pk, "signer-title": "GĐ", "signer-name": "X"}
    assert client.post("/documents/templates/", fields).status_code == 404
    assert not DocumentSigner.objects.exists()


def test_the_signer_form(client, plan_demo):
    from parindex.documents.models import DocumentSigner

    erin, syt = plan_demo["people"]["erin"], plan_demo["units"]["SYT"]
    client.force_login(erin)
    response = client.post(
        "/documents/templates/",
        {"signer-unit": syt.pk, "signer-authority": "", "signer-title": "", "signer-name": ""},
    )
    assert response.status_code == 422 and not DocumentSigner.objects.exists()
    response = client.post(
        "/documents/templates/",
        {
            "signer-unit": syt.pk,
            "signer-authority": "kt. giám đốc",
            "signer-title": "phó giám đốc",
            "signer-name": "Lê Văn Bình",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "KT. GIÁM ĐỐC<br>PHÓ GIÁM ĐỐC<br><strong>Lê Văn Bình</strong>" in page
    signer = DocumentSigner.objects.get()
    assert signer.updated_by == erin and signer.unit == syt
    response = client.post("/documents/templates/", {"clear-signer": syt.pk}, follow=True)
    assert response.status_code == 200 and not DocumentSigner.objects.exists()
    for forged in (
        {"clear-signer": "abc"},
        {"withdraw": "1 OR 1"},
        {"withdraw": "999999"},
        {"withdraw": "9" * 30},
    ):
        assert client.post("/documents/templates/", forged).status_code == 404
