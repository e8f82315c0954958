from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def my_account(request):
    """My Account: profile and the user type in words (R-TYPE-1)."""
    return render(request, "accounts/my_account.html", {"profile": request.user})


def forgot_user_id(request):
    """Placeholder: built by the accounts pages work."""
    raise NotImplementedError


def terms(request):
    return render(request, "accounts/terms.html")
