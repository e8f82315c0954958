"""Reception's person search (DOMAIN.md §11): /staff/people/?q=… finds a person by
user ID, email, name, kana or company; one match opens its page, several the list."""

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from kenshu.backoffice import selectors
from kenshu.backoffice.access import staff_required
from kenshu.backoffice.forms import PersonSearchForm


@staff_required("accounts.view_user")
@require_http_methods(["GET", "HEAD"])
def person_search(request):
    form = PersonSearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if not q:
        return redirect("backoffice:user_list")
    found = list(selectors.users_search(q=q).values_list("pk", flat=True)[:2])
    if len(found) == 1:
        return redirect("backoffice:user_detail", pk=found[0])
    return HttpResponseRedirect(f"{reverse('backoffice:user_list')}?{urlencode({'q': q})}")
