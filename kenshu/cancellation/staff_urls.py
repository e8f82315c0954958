from django.urls import path  # noqa: F401

app_name = "cancellation_staff"

urlpatterns: list = []
