"""Staff invoice screens, mounted at /staff/invoices/ (DOMAIN.md §11: payments received),
and the refunds (``refunds/`` comes before ``<number>/``, which would match it)."""

from django.urls import path

from . import views

app_name = "billing_staff"

urlpatterns = [
    path("", views.staff_invoice_list, name="invoice_list"),
    path("refunds/", views.staff_refund_list, name="refund_list"),
    path("refunds/<int:pk>/pay-out/", views.staff_refund_pay_out, name="refund_pay_out"),
    path("<str:number>/", views.staff_invoice_detail, name="invoice_detail"),
]
