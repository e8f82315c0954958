"""invoice_issue: gapless numbers per kind and year; credit notes and fee invoices
refer to the original; nothing is edited in place (DOMAIN.md §9, §13)."""

import datetime as dt

import pytest
from django.db import transaction

from kenshu.audit.models import AuditEntry
from kenshu.billing.models import Invoice, InvoiceCounter
from kenshu.billing.services import LineSpec, invoice_issue
from kenshu.core.exceptions import InvalidState

from .helpers import place

pytestmark = pytest.mark.django_db

MAY_11 = dt.date(2026, 5, 11)
JUNE_1 = dt.date(2026, 6, 1)


def numbers() -> list[str]:
    return list(Invoice.objects.order_by("pk").values_list("number", flat=True))


def test_invoice_numbers_are_sequential_within_a_series(sato):
    for _ in range(3):
        place(sato, 10_000, issued_on=MAY_11)
    assert numbers() == ["INV-2026-000001", "INV-2026-000002", "INV-2026-000003"]


def test_each_year_starts_a_new_series_at_1(sato):
    place(sato, 10_000, issued_on=dt.date(2026, 12, 31))
    place(sato, 10_000, issued_on=dt.date(2026, 12, 31))
    place(sato, 10_000, issued_on=dt.date(2027, 1, 1))
    place(sato, 10_000, issued_on=dt.date(2026, 12, 31))  # a late one still counts on 2026
    assert numbers() == [
        "INV-2026-000001",
        "INV-2026-000002",
        "INV-2027-000001",
        "INV-2026-000003",
    ]
    assert dict(InvoiceCounter.objects.values_list("series", "last_number")) == {
        "INV-2026": 3,
        "INV-2027": 1,
    }


def test_credit_notes_and_fee_invoices_have_their_own_series(sato):
    first = place(sato, 10_000, issued_on=MAY_11)
    second = place(sato, 20_000, issued_on=MAY_11)
    credit = invoice_issue(
        order=first.order,
        lines=[LineSpec("研修 1", 10_000)],
        kind=Invoice.Kind.CREDIT_NOTE,
        original=first,
        issued_on=JUNE_1,
    )
    fee = invoice_issue(
        order=second.order,
        lines=[LineSpec("キャンセル料", 10_000)],
        kind=Invoice.Kind.FEE_INVOICE,
        original=second,
        issued_on=JUNE_1,
    )
    assert (credit.number, fee.number) == ("CRN-2026-000001", "FEE-2026-000001")
    assert place(sato, 1_000, issued_on=JUNE_1).number == "INV-2026-000003"


def test_a_rolled_back_transaction_leaves_no_gap(sato):
    place(sato, 10_000, issued_on=MAY_11)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert place(sato, 20_000, issued_on=MAY_11).number == "INV-2026-000002"
        raise RuntimeError("rolled back after the number was taken")
    assert InvoiceCounter.objects.get(series="INV-2026").last_number == 1
    place(sato, 30_000, issued_on=MAY_11)
    assert numbers() == ["INV-2026-000001", "INV-2026-000002"]
    assert Invoice.objects.get(number="INV-2026-000002").total == 33_000


def test_a_rolled_back_savepoint_inside_a_committed_transaction_leaves_no_gap(sato):
    with transaction.atomic():
        place(sato, 10_000, issued_on=MAY_11)
        with pytest.raises(RuntimeError), transaction.atomic():
            place(sato, 20_000, issued_on=MAY_11)
            raise RuntimeError("this application failed")
        place(sato, 30_000, issued_on=MAY_11)
    assert numbers() == ["INV-2026-000001", "INV-2026-000002"]


def test_a_credit_note_carries_negative_amounts_and_refers_to_the_original(sato):
    original = place(sato, 30_000, 8_000, issued_on=MAY_11)
    credit = invoice_issue(
        order=original.order,
        lines=[LineSpec(line.description, line.unit_price) for line in original.lines.all()],
        kind=Invoice.Kind.CREDIT_NOTE,
        original=original,
        issued_on=JUNE_1,
    )
    assert credit.kind == Invoice.Kind.CREDIT_NOTE
    assert credit.original == original
    assert (credit.subtotal, credit.tax, credit.total) == (-38_000, -3_800, -41_800)
    assert [(line.unit_price, line.amount) for line in credit.lines.all()] == [
        (-30_000, -30_000),
        (-8_000, -8_000),
    ]
    assert credit.due_on is None
    original.refresh_from_db()
    assert original.state == Invoice.State.CREDITED
    assert original.total == 41_800  # the original itself is never edited


def test_crediting_a_whole_invoice_mirrors_its_tax_to_the_yen(sato):
    original = place(sato, 1_005, 1_005, issued_on=MAY_11)  # tax 201
    credit = invoice_issue(
        order=original.order,
        lines=[LineSpec("研修 1", 1_005), LineSpec("研修 2", 1_005)],
        kind=Invoice.Kind.CREDIT_NOTE,
        original=original,
    )
    assert credit.total == -original.total == -2_211


def test_a_credit_note_is_addressed_to_the_recipient_of_the_original(sato):
    original = place(sato, 10_000, issued_on=MAY_11)
    sato.last_name = "鈴木"
    sato.save()
    credit = invoice_issue(
        order=original.order,
        lines=[LineSpec("研修 1", 10_000)],
        kind=Invoice.Kind.CREDIT_NOTE,
        original=original,
    )
    assert credit.recipient_name == "佐藤 花子"
    assert credit.recipient_organisation == "株式会社サンプル"


def test_credit_notes_together_never_exceed_the_original(sato):
    original = place(sato, 10_000, issued_on=MAY_11)  # 11,000 with tax
    half = [LineSpec("研修 1 (一部)", 5_000)]
    invoice_issue(order=original.order, lines=half, kind="credit_note", original=original)
    with pytest.raises(InvalidState) as refused:
        invoice_issue(
            order=original.order,
            lines=[LineSpec("研修 1 (残り)", 5_001)],
            kind="credit_note",
            original=original,
        )
    assert refused.value.code == "credit_exceeds_invoice"
    assert "5,500" in str(refused.value)  # what is left to credit
    invoice_issue(order=original.order, lines=half, kind="credit_note", original=original)
    assert Invoice.objects.filter(kind="credit_note").count() == 2
    assert InvoiceCounter.objects.get(series="CRN-2026").last_number == 2


def test_a_credit_note_cannot_be_credited(sato):
    original = place(sato, 10_000, issued_on=MAY_11)
    credit = invoice_issue(
        order=original.order,
        lines=[LineSpec("研修", 1_000)],
        kind="credit_note",
        original=original,
    )
    with pytest.raises(InvalidState):
        invoice_issue(
            order=original.order,
            lines=[LineSpec("研修", 1_000)],
            kind="credit_note",
            original=credit,
        )


def test_a_credit_note_needs_an_original_of_the_same_order(sato, yamada):
    original = place(sato, 10_000)
    other_order = place(yamada, 10_000).order
    with pytest.raises(ValueError):
        invoice_issue(order=original.order, lines=[LineSpec("研修", 1)], kind="credit_note")
    with pytest.raises(ValueError):
        invoice_issue(
            order=other_order, lines=[LineSpec("研修", 1)], kind="credit_note", original=original
        )
    assert not Invoice.objects.filter(kind="credit_note").exists()


def test_a_fee_invoice_refers_to_the_original_and_is_due_at_the_end_of_next_month(sato):
    original = place(sato, 30_000, issued_on=MAY_11)
    fee = invoice_issue(
        order=original.order,
        lines=[LineSpec("キャンセル料 (50%)", 15_000)],
        kind=Invoice.Kind.FEE_INVOICE,
        original=original,
        issued_on=JUNE_1,
        actor=sato,
    )
    assert fee.original == original
    assert (fee.subtotal, fee.tax, fee.total) == (15_000, 1_500, 16_500)
    assert fee.due_on == dt.date(2026, 7, 31)
    assert fee.recipient_organisation == "株式会社サンプル"
    original.refresh_from_db()
    assert original.state == Invoice.State.ISSUED  # only a credit note credits it


def test_issuing_is_audited_with_the_amounts(sato):
    original = place(sato, 10_000, issued_on=MAY_11)
    credit = invoice_issue(
        order=original.order,
        lines=[LineSpec("研修", 10_000)],
        kind="credit_note",
        original=original,
    )
    entry = AuditEntry.objects.get(action="invoice.issued", target_id=str(credit.pk))
    assert entry.actor is None  # the system, unless an actor is given
    assert entry.data == {
        "kind": "credit_note",
        "order": original.order.number,
        "original": original.number,
        "subtotal": -10_000,
        "tax": -1_000,
        "total": -11_000,
    }
