"""Staff invoice screens, mounted at /staff/invoices/ (DOMAIN.md §11: payments received)."""

from django.urls import path

from . import views

app_name = "billing_staff"

urlpatterns = [
    path("", views.staff_invoice_list, name="invoice_list"),
    path("<str:number>/", views.staff_invoice_detail, name="invoice_detail"),
]
