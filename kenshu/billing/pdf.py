"""The invoice PDF: an A4 qualified invoice (適格請求書), or a qualified return
invoice (適格返還請求書) for a credit note (DOMAIN.md §9, インボイス制度).

It shows what the law asks of a qualified invoice: the issuer's name and
registration number, the date, the recipient, the items, the tax-exclusive
total and the tax of each rate (computed once per rate, rounded down), and for
a return invoice the original it corrects. Written in Japanese only: invoices
are Japanese business documents, whatever the language of the page that links
to them. Rendered with fpdf2 and Noto Sans JP (SIL OFL, from the
``pylopdf-fonts-jp`` package), so a fresh machine needs no system font.
"""

import datetime as dt
import logging
import os

import pylopdf_fonts_jp
from fpdf import FPDF
from fpdf.enums import Align, TableBordersLayout, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from .models import Invoice
from .services import tax_breakdown

# fontTools logs every glyph of every subset at INFO: slow, and noise in the server log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT_PATH = os.path.join(os.path.dirname(pylopdf_fonts_jp.__file__), "NotoSansJP-Regular.otf")
FONT = "NotoJP"

#: Tax rates below the standard one are reduced rates (軽減税率), marked ※ on the lines.
STANDARD_RATE = 10

MARGIN = 15.0
PAGE_WIDTH = 210.0
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK = (33, 37, 41)
MUTED = (95, 99, 104)
RULE = (173, 181, 189)
HEADING_FILL = (233, 236, 239)

TITLES = {
    Invoice.Kind.INVOICE: "適格請求書",
    Invoice.Kind.FEE_INVOICE: "適格請求書(キャンセル料)",
    Invoice.Kind.CREDIT_NOTE: "適格返還請求書",
}


def yen(amount: int) -> str:
    return f"{amount:,}"


def japanese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class _InvoicePDF(FPDF):
    def __init__(self, invoice: Invoice):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.invoice = invoice
        self.add_font(FONT, fname=FONT_PATH)
        # The subset is re-saved at output; recomputing the bounding box of every glyph
        # then costs a third of the rendering time and changes nothing a viewer uses
        # (the font keeps Noto Sans JP's own bounding box).
        for font in self.fonts.values():
            font.ttfont.recalcBBoxes = False
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=20)
        self.set_title(f"{TITLES[invoice.kind]} {invoice.number}")
        self.set_author(invoice.issuer_name)
        self.set_creator("Kenshu")
        self.set_lang("ja")

    def footer(self):
        self.set_y(-14)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        invoice = self.invoice
        self.cell(
            0,
            5,
            f"{invoice.issuer_name}(登録番号 {invoice.registration_number})    "
            f"{invoice.number}    {self.page_no()} / {{nb}}",
            align=Align.C,
        )


def invoice_pdf(invoice: Invoice) -> bytes:
    """The PDF of ``invoice`` (with its lines) as bytes."""
    pdf = _InvoicePDF(invoice)
    pdf.add_page()
    credit = invoice.kind == Invoice.Kind.CREDIT_NOTE
    # A credit note's amounts are stored negative; its PDF shows what is returned,
    # as positive amounts under "返還" labels.
    sign = -1 if credit else 1
    returned = "返還" if credit else ""
    lines = list(invoice.lines.all())

    # Title
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=22)
    pdf.set_xy(MARGIN, 16)
    pdf.cell(CONTENT_WIDTH, 12, TITLES[invoice.kind], align=Align.C)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.4)
    half = pdf.get_string_width(TITLES[invoice.kind]) / 2 + 12
    pdf.line(PAGE_WIDTH / 2 - half, 29.5, PAGE_WIDTH / 2 + half, 29.5)

    # Document facts, top right
    facts = [("請求書番号" if not credit else "返還請求書番号", invoice.number)]
    facts.append(("発行日", japanese_date(invoice.issued_on)))
    if invoice.original_id:
        original = invoice.original
        facts.append(("元請求書番号", original.number))
        facts.append(("元請求書発行日", japanese_date(original.issued_on)))
    if invoice.due_on and not credit:
        facts.append(("お支払期限", japanese_date(invoice.due_on)))
    pdf.set_font(FONT, size=9.5)
    y = 36
    for label, value in facts:
        pdf.set_xy(122, y)
        pdf.set_text_color(*MUTED)
        pdf.cell(28, 5.5, label)
        pdf.set_text_color(*INK)
        pdf.cell(45, 5.5, value, align=Align.R)
        y += 5.5
    facts_bottom = y

    # Recipient, top left
    pdf.set_xy(MARGIN, 38)
    if invoice.recipient_organisation:
        pdf.set_font(FONT, size=15)
        pdf.multi_cell(98, 8, f"{invoice.recipient_organisation} 御中", wrapmode=WrapMode.CHAR)
        pdf.set_font(FONT, size=10)
        pdf.set_x(MARGIN)
        pdf.multi_cell(98, 6, f"ご担当: {invoice.recipient_name} 様", wrapmode=WrapMode.CHAR)
    else:
        pdf.set_font(FONT, size=15)
        pdf.multi_cell(98, 8, f"{invoice.recipient_name} 様", wrapmode=WrapMode.CHAR)
    pdf.set_line_width(0.3)
    recipient_bottom = pdf.get_y() + 1
    pdf.line(MARGIN, recipient_bottom, MARGIN + 98, recipient_bottom)

    # Issuer, below the facts
    y = facts_bottom + 5
    pdf.set_xy(122, y)
    pdf.set_font(FONT, size=11)
    pdf.set_text_color(*INK)
    pdf.multi_cell(73, 6, invoice.issuer_name, wrapmode=WrapMode.CHAR)
    pdf.set_font(FONT, size=9.5)
    pdf.set_x(122)
    pdf.cell(73, 5.5, f"登録番号: {invoice.registration_number}")
    issuer_bottom = pdf.get_y() + 5.5

    # What the document is, and its amount
    pdf.set_xy(MARGIN, max(issuer_bottom, recipient_bottom) + 8)
    pdf.set_font(FONT, size=10)
    if credit:
        intro = "下記のとおり、元請求書の金額を返還(減額)いたします。"
        label = "返還金額(税込)"
    else:
        intro = "下記のとおりご請求申し上げます。"
        label = "ご請求金額(税込)"
    pdf.cell(CONTENT_WIDTH, 6, intro, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_fill_color(*HEADING_FILL)
    pdf.set_font(FONT, size=12)
    pdf.cell(45, 12, label, border=1, fill=True, align=Align.C)
    pdf.set_font(FONT, size=17)
    pdf.cell(60, 12, f"¥{yen(sign * invoice.total)} ", border=1, align=Align.R)
    pdf.ln(18)

    # Lines
    reduced = any(line.tax_rate < STANDARD_RATE for line in lines)
    pdf.set_font(FONT, size=9.5)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.2)
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=(88, 14, 30, 14, 34),
        width=CONTENT_WIDTH,
        align=Align.L,
        text_align=(Align.L, Align.C, Align.R, Align.R, Align.R),
        headings_style=FontFace(emphasis="", fill_color=HEADING_FILL),
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        line_height=6.5,
        padding=(1.2, 1.5),
        wrapmode=WrapMode.CHAR,
    ) as table:
        table.row(("品目", "税率", "単価(税抜)", "数量", f"{returned or '金'}額(税抜)"))
        for line in lines:
            mark = " ※" if line.tax_rate < STANDARD_RATE else ""
            table.row(
                (
                    f"{line.description}{mark}",
                    f"{line.tax_rate}%",
                    yen(sign * line.unit_price),
                    str(line.quantity),
                    yen(sign * line.amount),
                )
            )
    pdf.ln(1)
    pdf.set_font(FONT, size=8)
    pdf.set_text_color(*MUTED)
    unit_note = "金額の単位は円です。"
    if reduced:
        unit_note += " ※は軽減税率対象です。"
    pdf.cell(CONTENT_WIDTH, 5, unit_note, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.ln(3)

    # Totals per tax rate, then the grand total, on the right
    rows = []
    for item in tax_breakdown(lines):
        rows.append((f"{item.rate}%対象 {returned or '金'}額(税抜)", yen(sign * item.base)))
        rows.append((f"{item.rate}%対象 {returned}消費税額", yen(sign * item.tax)))
    rows.append((f"{returned}小計(税抜)", yen(sign * invoice.subtotal)))
    rows.append((f"{returned}消費税額合計", yen(sign * invoice.tax)))
    if pdf.will_page_break(7 * (len(rows) + 1) + 40):
        pdf.add_page()
    x = PAGE_WIDTH - MARGIN - 90
    pdf.set_font(FONT, size=9.5)
    for label, value in rows:
        pdf.set_x(x)
        pdf.cell(55, 6.5, label, border="B")
        pdf.cell(
            35, 6.5, f"{value}円", border="B", align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
    pdf.set_x(x)
    pdf.set_font(FONT, size=11)
    pdf.set_fill_color(*HEADING_FILL)
    pdf.cell(55, 8, f"{returned}合計(税込)", border="TB", fill=True)
    pdf.cell(
        35,
        8,
        f"{yen(sign * invoice.total)}円",
        border="TB",
        fill=True,
        align=Align.R,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(8)

    # Notes
    pdf.set_font(FONT, size=9)
    if credit:
        notes = [
            f"本書は、{invoice.original.number if invoice.original_id else '元請求書'} の"
            "金額の全部または一部を返還(減額)する適格返還請求書です。",
            "すでにお支払い済みの場合は、返金の手続きについて別途ご案内いたします。",
        ]
        heading = "備考"
    else:
        notes = [
            f"お支払方法: 銀行振込。{japanese_date(invoice.due_on)}までにお振り込みください。"
            if invoice.due_on
            else "お支払方法: 銀行振込。",
            "振込手数料はお客様のご負担でお願いいたします。",
            f"お振込みの際は、ご依頼人名の前に請求書番号「{invoice.number}」をご記入ください。",
        ]
        heading = "お支払いについて"
    notes.append("消費税は税率ごとに合計した金額から計算し、1円未満を切り捨てています。")
    pdf.set_draw_color(*RULE)
    pdf.set_x(MARGIN)
    pdf.cell(CONTENT_WIDTH, 6, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    top = pdf.get_y()
    pdf.set_y(top + 1.5)
    for note in notes:
        pdf.set_x(MARGIN + 3)
        pdf.multi_cell(CONTENT_WIDTH - 6, 5.5, f"・{note}", wrapmode=WrapMode.CHAR)
    bottom = pdf.get_y() + 1.5
    pdf.rect(MARGIN, top, CONTENT_WIDTH, bottom - top)
    return bytes(pdf.output())
