from django.urls import path  # noqa: F401

app_name = "migration_staff"

urlpatterns: list = []
