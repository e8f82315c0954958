"""invoice_pdf: an A4 qualified invoice in Japanese (DOMAIN.md §9). The text is read
back with poppler's pdftotext: skipped where it is missing, a failure in CI."""

import datetime as dt
import os
import shutil
import subprocess

import pytest

from kenshu.billing.pdf import invoice_pdf
from kenshu.billing.services import LineSpec, invoice_issue, order_place

from .helpers import place

pytestmark = pytest.mark.django_db

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
MAY_11 = dt.date(2026, 5, 11)


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        if IN_CI:
            pytest.fail("pdftotext (poppler-utils) is missing: CI installs it")
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "invoice.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.fixture
def invoice(sato, settings):
    settings.KENSHU_PROVIDER_NAME = "株式会社研修センター"
    settings.KENSHU_INVOICE_REGISTRATION_NUMBER = "T1234567890123"
    order = order_place(
        buyer=sato,
        lines=[
            LineSpec("ビジネス文書作成研修 ILC1234 2026/06/15", 30_000),
            LineSpec("テキスト代", 8_000, quantity=3),
            LineSpec("お弁当", 1_080, quantity=2, tax_rate=8),
        ],
        issued_on=MAY_11,
    )
    return order.invoices.get()


def test_the_pdf_is_a_pdf_with_the_japanese_font_embedded(invoice):
    data = invoice_pdf(invoice)
    assert data.startswith(b"%PDF-")
    assert b"NotoSansJP" in data
    assert b"/MediaBox [0 0 595.28 841.89]" in data  # A4 portrait


def test_the_pdf_shows_what_a_qualified_invoice_must_show(invoice, tmp_path):
    text = pdf_text(invoice_pdf(invoice), tmp_path)
    for expected in [
        "適格請求書",
        "株式会社研修センター",  # issuer
        "T1234567890123",  # its registration number
        "INV-2026-000001",
        "2026年5月11日",  # issue date
        "2026年6月30日",  # due date
        "株式会社サンプル 御中",
        "佐藤 花子 様",
        "ビジネス文書作成研修 ILC1234 2026/06/15",
        "8,000",  # unit price
        "24,000",  # amount of the textbook line
        "10%対象 金額(税抜)",
        "54,000",  # 10 % base
        "5,400",  # 10 % tax
        "8%対象 消費税額",
        "172",  # 8 % tax: 2,160 × 8 % = 172.8 → 172
        "¥61,732",  # total, tax included
        "61,732円",
        "銀行振込",
        "※は軽減税率対象です",
    ]:
        assert expected in text, expected


def test_a_person_is_addressed_with_sama(yamada, tmp_path):
    text = pdf_text(invoice_pdf(place(yamada, 12_000, issued_on=MAY_11)), tmp_path)
    assert "山田 一郎 様" in text
    assert "御中" not in text
    assert "13,200" in text


def test_a_credit_note_is_a_qualified_return_invoice_referring_to_the_original(invoice, tmp_path):
    credit = invoice_issue(
        order=invoice.order,
        lines=[LineSpec("ビジネス文書作成研修 ILC1234 2026/06/15", 30_000)],
        kind="credit_note",
        original=invoice,
        issued_on=dt.date(2026, 6, 1),
    )
    text = pdf_text(invoice_pdf(credit), tmp_path)
    assert "適格返還請求書" in text
    assert "CRN-2026-000001" in text
    assert "INV-2026-000001" in text  # the original
    assert "2026年5月11日" in text  # the original's date
    assert "返還合計(税込)" in text
    assert "33,000円" in text
    assert "お支払期限" not in text


def test_a_fee_invoice_says_it_is_for_a_cancellation_fee(invoice, tmp_path):
    fee = invoice_issue(
        order=invoice.order,
        lines=[LineSpec("キャンセル料 (50%)", 15_000)],
        kind="fee_invoice",
        original=invoice,
        issued_on=dt.date(2026, 6, 1),
    )
    text = pdf_text(invoice_pdf(fee), tmp_path)
    assert "適格請求書(キャンセル料)" in text
    assert "FEE-2026-000001" in text
    assert "16,500" in text
    assert "2026年7月31日" in text


def test_a_long_invoice_continues_on_more_pages_with_every_line(sato, tmp_path):
    lines = [LineSpec(f"研修 第{i}回", 1_000) for i in range(1, 61)]
    invoice = order_place(buyer=sato, lines=lines, issued_on=MAY_11).invoices.get()
    text = pdf_text(invoice_pdf(invoice), tmp_path)
    assert "研修 第60回" in text
    assert "1 / 3" in text or "1 / 2" in text
    assert "66,000円" in text
