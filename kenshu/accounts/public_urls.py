"""Account pages outside My Account, mounted at the site root before allauth:
/accounts/forgot-user-id/ (R-ACCT-3) and /terms/."""

from django.urls import path

from . import views

urlpatterns = [
    path("accounts/forgot-user-id/", views.forgot_user_id, name="forgot_user_id"),
    path("accounts/forgot-user-id/done/", views.forgot_user_id_done, name="forgot_user_id_done"),
    path("terms/", views.terms, name="terms"),
]
