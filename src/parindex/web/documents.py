"""The document pages: the documents of a unit generated from its data, and the number
checker for any report (its own or anyone's) uploaded here."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy

from parindex.assessments import access as access_rules
from parindex.assessments.errors import ActionRefused
from parindex.documents import templates_admin
from parindex.documents.checking import check_file
from parindex.documents.context import ALLOWED, KIND_LABELS, KINDS
from parindex.documents.layout import LANGUAGES
from parindex.documents.models import DocumentSigner, DocumentTemplate
from parindex.documents.reading import ReadRefused
from parindex.documents.render import DOCX, FORMATS, appendix, generate
from parindex.domain import numbercheck
from parindex.frameworks.models import Framework
from parindex.messages import render as render_message
from parindex.units.models import Unit
from parindex.web.views import _int


class CheckForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Report (.docx, .pdf or text)"))


@login_required
def check_page(request):
    context = {"form": CheckForm(), "findings": None, "labels": numbercheck.KIND_LABELS}
    status = 200
    if request.method == "POST":
        form = CheckForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                with tempfile.TemporaryDirectory() as folder:
                    # The name the reader gives in its messages (its size cap among them);
                    # the content decides the kind.
                    name = Path(upload.name).name
                    target = Path(folder) / (name if name not in ("", ".", "..") else "report")
                    with target.open("wb") as out:
                        for chunk in upload.chunks():
                            out.write(chunk)
                    context["findings"] = check_file(target)
                    context["name"] = upload.name
            except ReadRefused as exc:
                form.add_error("file", render_message(exc.message))
                status = 422
        else:
            status = 422
    return render(request, "web/document_check.html", context, status=status)


class TemplateForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Document"))
    year = forms.IntegerField(
        label=gettext_lazy("Year (empty: every year)"),
        required=False,
        min_value=2000,
        max_value=2100,
    )
    # Not "language": the header's language switcher has that name on every page.
    document_language = forms.ChoiceField(label=gettext_lazy("Language of the document"))
    file = forms.FileField(label=gettext_lazy("Template (.docx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, capfirst(gettext(KIND_LABELS[k]))) for k in KINDS]
        self.fields["document_language"].choices = [
            (code, LANGUAGE_NAMES[code]) for code in LANGUAGES
        ]


class SignerForm(forms.Form):
    unit = forms.ModelChoiceField(label=gettext_lazy("Unit"), queryset=Unit.objects.none())
    authority = forms.CharField(
        label=gettext_lazy("Signing authority (empty when the head signs)"),
        required=False,
        max_length=100,
    )
    title = forms.CharField(label=gettext_lazy("Position of the signer"), max_length=100)
    name = forms.CharField(label=gettext_lazy("Name of the signer"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("code")
        self.fields["authority"].widget.attrs["placeholder"] = "KT. GIÁM ĐỐC"
        self.fields["title"].widget.attrs["placeholder"] = "PHÓ GIÁM ĐỐC"


LANGUAGE_NAMES = {"vi": gettext_lazy("Vietnamese"), "en": gettext_lazy("English")}


@login_required
def templates_page(request):
    """The templates in force, and the upload that replaces one (a CCHC officer)."""
    if not templates_admin.may_manage(request.user):
        raise Http404
    bound = {"form": TemplateForm(), "signer_form": SignerForm(prefix="signer")}
    status = 200
    if request.method == "POST":
        done = _templates_post(request, bound)
        if done is not None:
            messages.success(request, done)
            return redirect("web:document-templates")
        status = 422
    rows = [(kind, capfirst(gettext(KIND_LABELS[kind])), sorted(ALLOWED[kind])) for kind in KINDS]
    uploads = DocumentTemplate.objects.select_related("uploaded_by", "withdrawn_by").order_by(
        "kind", "language", "-year", "-uploaded_at"
    )
    languages = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
    signers = DocumentSigner.objects.select_related("unit", "updated_by").order_by("unit__code")
    context = {
        **bound,
        "signers": signers,
        "rows": rows,
        "uploads": uploads,
        "template_languages": languages,
    }
    return render(request, "web/document_templates.html", context, status=status)


def _pk(value: str) -> int:
    """A row's id from a button, or 404: a forged "abc", or a number past the database's
    integers, is not a server error (`views._int`, the one reading of an id)."""
    pk = _int(value)
    if pk is None:
        raise Http404
    return pk


def _templates_post(request, bound: dict) -> str | None:
    """One of the page's four writes (withdraw an upload, clear a signer, set one, upload a
    template), each through its `templates_admin` action: the success message, or None with
    the bound form (and its errors) in `bound`."""
    user = request.user
    if request.POST.get("withdraw"):
        template = get_object_or_404(DocumentTemplate, pk=_pk(request.POST["withdraw"]))
        templates_admin.withdraw(user, template)
        return gettext("The template is withdrawn.")
    if request.POST.get("clear-signer"):
        unit = get_object_or_404(Unit, pk=_pk(request.POST["clear-signer"]))
        templates_admin.clear_signer(user, unit)
        return gettext("The unit's documents are signed by default again.")
    if "signer-unit" in request.POST:
        form = bound["signer_form"] = SignerForm(request.POST, prefix="signer")
        if form.is_valid():
            data = form.cleaned_data
            try:
                templates_admin.set_signer(
                    user,
                    data["unit"],
                    authority=data["authority"],
                    title=data["title"],
                    name=data["name"],
                )
            except ActionRefused as exc:
                form.add_error(None, render_message(exc.message))
            else:
                return gettext("Who signs the unit's documents is saved.")
        return None
    form = bound["form"] = TemplateForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            templates_admin.upload(
                user, data["kind"], data["year"], data["file"], data["document_language"]
            )
        except ActionRefused as exc:
            form.add_error("file", render_message(exc.message))
        else:
            return gettext("The template is in force.")
    return None


@login_required
def template_file(request, kind):
    """The template in force for a kind and language (this year's), to edit."""
    language = request.GET.get("language", "vi")
    if kind not in KINDS or language not in LANGUAGES:
        raise Http404
    if not templates_admin.may_manage(request.user):
        raise Http404
    try:
        source = templates_admin.source_for(kind, timezone.localdate().year, language)
    except ActionRefused as exc:
        messages.error(request, render_message(exc.message))
        return redirect("web:document-templates")
    data = source.getvalue() if hasattr(source, "getvalue") else Path(source).read_bytes()
    response = HttpResponse(data, content_type=CONTENT_TYPES["docx"])
    name = f"{kind}-template.docx" if language == "vi" else f"{kind}-template-{language}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
def document_file(request, kind, framework, unit):
    """A document of the unit, generated now from the data: for whoever holds a role in the
    unit (the dashboard's rule). A refusal (no plan yet, results not published, no
    LibreOffice for a PDF) comes back to the dashboard as a message."""
    model = get_object_or_404(Framework, code=framework)
    unit_ = get_object_or_404(Unit.objects.select_related("parent__parent__parent"), code=unit)
    if kind not in KINDS or not access_rules.unit_roles(request.user, unit_):
        raise Http404
    fmt = request.GET.get("format", DOCX)
    # The document's language is the one asked for (vi unless ?language=en), not the page's:
    # an English page still makes the Vietnamese official document by default.
    language = request.GET.get("language", "vi")
    if language not in LANGUAGES:
        language = "vi"
    try:
        if fmt == "xlsx":
            made = appendix(kind, model, unit_, language)
            if made is None:
                raise Http404
            data, name = made
        else:
            fmt = fmt if fmt in FORMATS else DOCX
            data, name = generate(kind, model, unit_, fmt=fmt, language=language)
    except ActionRefused as exc:
        messages.error(request, render_message(exc.message))
        return redirect("web:dashboard", framework=framework, unit=unit)
    response = HttpResponse(data, content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, max-age=0"
    return response


urls = [
    path("documents/check/", check_page, name="document-check"),
    path("documents/templates/", templates_page, name="document-templates"),
    path("documents/templates/<str:kind>/", template_file, name="document-template"),
    path("documents/<str:kind>/<slug:framework>/<str:unit>/", document_file, name="document"),
]
