"""My Account, mounted at /account/ (DOMAIN.md §14)."""

from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.my_account, name="my_account"),
    path("profile/", views.profile_edit, name="profile_edit"),
]
