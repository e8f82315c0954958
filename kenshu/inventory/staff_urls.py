from django.urls import path  # noqa: F401

app_name = "inventory_staff"

urlpatterns: list = []
