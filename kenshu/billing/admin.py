"""Billing in the Django admin: read-only. Money is records written by services
(ARCHITECTURE.md §7): an issued invoice, a payment or a number counter is never
edited or deleted by hand; corrections are credit notes and fee invoices."""

from django.contrib import admin

from .models import Invoice, InvoiceCounter, InvoiceLine, Order, OrderLine, Payment, Refund


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["description", "unit_price", "quantity", "tax_rate"]


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["description", "unit_price", "quantity", "tax_rate", "amount"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["received_on", "amount", "method", "recorded_by", "recorded_at"]


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "buyer", "payment_method", "created_at"]
    list_filter = ["payment_method"]
    search_fields = ["buyer__username", "buyer__last_name", "buyer__email"]
    list_select_related = ["buyer"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline]


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ["number", "kind", "state", "recipient_name", "issued_on", "due_on", "total"]
    list_filter = ["kind", "state"]
    search_fields = ["number", "recipient_name", "recipient_organisation", "recipient_email"]
    date_hierarchy = "issued_on"
    inlines = [InvoiceLineInline, PaymentInline]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "received_on", "amount", "method", "recorded_by"]
    list_filter = ["method"]
    search_fields = ["invoice__number"]
    list_select_related = ["invoice", "recorded_by"]
    date_hierarchy = "received_on"


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(ReadOnlyAdmin):
    list_display = ["series", "last_number"]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    """Refunds are made by cancellations and paid out on /staff/invoices/refunds/."""

    list_display = ["credit_note", "invoice", "amount", "state", "created_at", "paid_out_on"]
    list_filter = ["state"]
    search_fields = ["invoice__number", "credit_note__number"]
    list_select_related = ["invoice", "credit_note"]
    date_hierarchy = "created_at"
