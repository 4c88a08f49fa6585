"""The document pages: the number checker for any report (its own or anyone's) uploaded here."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy

from parindex.documents.checking import check_file
from parindex.documents.reading import MAX_BYTES, ReadRefused
from parindex.domain import numbercheck
from parindex.domain.i18n import Message
from parindex.domain.i18n import gettext_noop as N_
from parindex.domain.numbers import format_number
from parindex.messages import render as render_message


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
                if upload.size > MAX_BYTES:
                    raise ReadRefused(
                        Message(
                            N_("%(name)s is too large (%(size)s MB; at most %(max)s MB)"),
                            {
                                "name": upload.name,
                                "size": format_number(upload.size / 2**20, 1),
                                "max": MAX_BYTES // 2**20,
                            },
                        )
                    )
                with tempfile.TemporaryDirectory() as folder:
                    # The name the reader gives in its messages; the content decides the kind.
                    target = Path(folder) / Path(upload.name).name
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


urls = [path("documents/check/", check_page, name="document-check")]
