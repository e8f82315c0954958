from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import SentMail


def _debug_only():
    if not settings.DEBUG:
        raise Http404


def mail_list(request):
    """Sent mail, newest first (development only)."""
    _debug_only()
    page = Paginator(SentMail.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "notifications/dev/mail_list.html", {"page": page})


def mail_detail(request, pk: int):
    _debug_only()
    mail = get_object_or_404(SentMail, pk=pk)
    return render(request, "notifications/dev/mail_detail.html", {"mail": mail})
