from django.urls import path  # noqa: F401

app_name = "enrollments_staff"

urlpatterns: list = []
