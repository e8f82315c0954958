"""Account pages outside My Account: /accounts/forgot-user-id/, /terms/."""

from django.urls import path

from . import views

urlpatterns = [
    path("accounts/forgot-user-id/", views.forgot_user_id, name="forgot_user_id"),
    path("terms/", views.terms, name="terms"),
]
