"""Decree 30/2020/NĐ-CP layout, built with python-docx: what the shipped templates are made of
(`parindex.documents.builtin`). A4 portrait; margins 20 mm top and bottom, 30 mm left, 15 mm
right; Times New Roman 14 pt, black; the page number centred in the top margin from page 2;
the header table (the parent agency and the issuing agency with its rule, the number and
symbol; the national motto with its rule, the place and date in italics); the type and the
subject, centred and bold; the body justified with a first-line indent; the signature block
beside "Nơi nhận". Text may hold docxtpl placeholders ({{ … }}, {%p … %}, {%tr … %})."""

from __future__ import annotations

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

FONT = "Times New Roman"
BODY_PT = 14
# The fixed words of the layout in each language a template ships in. An English version is
# a translation for readers abroad (partners, donors): the same blocks, in English words.
WORDS = {
    "vi": {
        "motto": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto_2": "Độc lập - Tự do - Hạnh phúc",
        "number": "Số: ",
        "regarding": "V/v ",
        "to": "Kính gửi: ",
        "recipients": "Nơi nhận:",
    },
    "en": {
        "motto": "SOCIALIST REPUBLIC OF VIETNAM",
        "motto_2": "Independence - Freedom - Happiness",
        "number": "No.: ",
        "regarding": "Re: ",
        "to": "To: ",
        "recipients": "Recipients:",
    },
}
LANGUAGES = tuple(WORDS)


def new_document():
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.different_first_page_header_footer = True  # page 1 shows no number
    _page_number(section.header.paragraphs[0])
    style = document.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(BODY_PT)
    style.font.color.rgb = RGBColor(0, 0, 0)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    paragraph = style.paragraph_format
    paragraph.space_before, paragraph.space_after = Pt(6), Pt(0)
    paragraph.line_spacing = 1.15
    return document


def _page_number(paragraph) -> None:
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run()
    run.font.size = Pt(13)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _plain(paragraph, *, align=WD_ALIGN_PARAGRAPH.CENTER, before=0, after=0):
    form = paragraph.paragraph_format
    paragraph.alignment = align
    form.first_line_indent = Cm(0)
    form.space_before, form.space_after = Pt(before), Pt(after)
    form.line_spacing = 1.0
    return paragraph


def run(paragraph, text, *, size=BODY_PT, bold=False, italic=False):
    piece = paragraph.add_run(text)
    piece.font.size = Pt(size)
    piece.bold, piece.italic = bold, italic
    return piece


def _rule(paragraph, indent_cm: float) -> None:
    """A solid line under the text above it, drawn as the bottom border of an empty
    paragraph indented both sides (Decree 30: a line, not an underline)."""
    form = paragraph.paragraph_format
    form.left_indent = form.right_indent = Cm(indent_cm)
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    properties.append(borders)
    run(paragraph, "", size=4)


def _widths(table, widths) -> None:
    """Fixed column widths (Word and LibreOffice otherwise share the page out evenly)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _borderless(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def header(document, *, letter: bool = False, language: str = "vi") -> None:
    """The header block. Placeholders: agency_parent, agency, number_symbol, place_date;
    a công văn (`letter`) has its subject ("V/v …", `subject`) under the number."""
    words = WORDS[language]
    table = document.add_table(rows=2, cols=2)
    _borderless(table)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, (Cm(6.3), Cm(10.2)))
    left, right = table.rows[0].cells
    run(_plain(left.paragraphs[0]), "{{ agency_parent }}", size=13)
    run(_plain(left.add_paragraph()), "{{ agency }}", size=13, bold=True)
    _rule(_plain(left.add_paragraph()), 1.8)
    run(_plain(right.paragraphs[0]), words["motto"], size=13, bold=True)
    run(_plain(right.add_paragraph()), words["motto_2"], size=14, bold=True)
    _rule(_plain(right.add_paragraph()), 2.1)
    number, place = table.rows[1].cells
    run(_plain(number.paragraphs[0], before=6), words["number"] + "{{ number_symbol }}", size=13)
    if letter:
        run(_plain(number.add_paragraph(), before=4), words["regarding"] + "{{ subject }}", size=12)
    run(_plain(place.paragraphs[0], before=6), "{{ place_date }}", size=14, italic=True)


def title(document) -> None:
    """The type (UPPERCASE) and the subject, centred and bold, with a short rule."""
    run(_plain(document.add_paragraph(), before=18), "{{ doc_type }}", bold=True)
    run(_plain(document.add_paragraph()), "{{ subject }}", bold=True)
    _rule(_plain(document.add_paragraph()), 6.0)


def addressed(document, to: str, language: str = "vi") -> None:
    paragraph = _plain(document.add_paragraph(), before=12)
    run(paragraph, WORDS[language]["to"])
    run(paragraph, to)


def heading(document, text: str):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1.27)
    run(paragraph, text, bold=True)
    return paragraph


def body(document, text: str, *, bold: bool = False, italic: bool = False):
    paragraph = document.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paragraph.paragraph_format.first_line_indent = Cm(1.27)
    run(paragraph, text, bold=bold, italic=italic)
    return paragraph


def picture(document, placeholder: str):
    """A centred paragraph for a chart's placeholder."""
    paragraph = _plain(document.add_paragraph(), before=6, after=6)
    run(paragraph, placeholder)
    return paragraph


def control(document, tag: str):
    """A paragraph that holds only a docxtpl block tag ({%p for … %}): removed when rendered."""
    paragraph = document.add_paragraph()
    run(paragraph, tag)
    return paragraph


def data_table(
    document, headers: list[tuple[str, float]], row: list[str], loop: str, *, left=(1,), size=12
):
    """A table with a header row, then one row per item: `loop` is the docxtpl row loop
    ("item in areas"), `row` the cells' placeholders."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [Cm(width) for _text, width in headers])
    for col, (text, _width) in enumerate(headers):
        paragraph = _plain(table.rows[0].cells[col].paragraphs[0])
        run(paragraph, text, size=size, bold=True)
    # The header row repeats on each page a long table runs onto.
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    run(_plain(table.rows[1].cells[0].paragraphs[0]), "{%tr for " + loop + " %}", size=size)
    for col, text in enumerate(row):
        align = WD_ALIGN_PARAGRAPH.LEFT if col in left else WD_ALIGN_PARAGRAPH.CENTER
        run(_plain(table.rows[2].cells[col].paragraphs[0], align=align), text, size=size)
    run(_plain(table.rows[3].cells[0].paragraphs[0]), "{%tr endfor %}", size=size)
    return table


def signature(document, language: str = "vi") -> None:
    """ "Nơi nhận" (the recipients, a list) on the left; the authority, title and signer's
    name on the right. Placeholders: recipients, signer_authority, signer_title, signer_name."""
    table = document.add_table(rows=1, cols=2)
    _borderless(table)
    _widths(table, (Cm(8), Cm(8.5)))
    left, right = table.rows[0].cells
    label = _plain(left.paragraphs[0], align=WD_ALIGN_PARAGRAPH.LEFT, before=12)
    run(label, WORDS[language]["recipients"], size=12, bold=True, italic=True)
    run(_plain(left.add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT), "{%p for r in recipients %}")
    run(_plain(left.add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT), "- {{ r }}", size=11)
    run(_plain(left.add_paragraph(), align=WD_ALIGN_PARAGRAPH.LEFT), "{%p endfor %}")
    # The authority line ("KT. GIÁM ĐỐC") only when someone signs for the head.
    spacer = _plain(right.paragraphs[0], before=12)  # level with "Nơi nhận:"
    spacer.paragraph_format.line_spacing = Pt(1)
    run(_plain(right.add_paragraph()), "{%p if signer_authority %}")
    run(_plain(right.add_paragraph()), "{{ signer_authority }}", bold=True)
    run(_plain(right.add_paragraph()), "{%p endif %}")
    run(_plain(right.add_paragraph()), "{{ signer_title }}", bold=True)
    for _ in range(4):
        _plain(right.add_paragraph())
    run(_plain(right.add_paragraph()), "{{ signer_name }}", bold=True)
