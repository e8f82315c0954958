"""Billing pages of My Account, mounted at "" (DOMAIN.md §14: /account/invoices/)."""

from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("account/invoices/", views.my_invoices, name="my_invoices"),
    path("account/invoices/<str:number>/pdf/", views.invoice_pdf, name="invoice_pdf"),
]
