from django.urls import path  # noqa: F401

app_name = "requests_staff"

urlpatterns: list = []
