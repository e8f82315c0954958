"""The email log (DOMAIN.md §8, §11): every outbox row, the rendered message, resend."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kenshu.backoffice.access import staff_required
from kenshu.backoffice.forms import EmailFilterForm, EmailResendForm
from kenshu.backoffice.selectors import emails as selectors
from kenshu.notifications.models import OutboxEmail
from kenshu.notifications.services import email_render, email_resend

EMAILS_PER_PAGE = 50
VIEW_PERM = "notifications.view_outboxemail"
RESEND_PERM = "notifications.change_outboxemail"
#: States whose row may be resent: it left (or never will) — not one still on its way.
RESENDABLE = (OutboxEmail.State.SENT, OutboxEmail.State.FAILED, OutboxEmail.State.WITHDRAWN)


def _email_or_404(pk: int) -> OutboxEmail:
    try:
        return selectors.email_for_staff(pk=pk)
    except OutboxEmail.DoesNotExist as exc:
        raise Http404 from exc


@staff_required(VIEW_PERM)
@require_http_methods(["GET", "HEAD"])
def email_list(request):
    """/staff/emails/: the outbox, newest first; by state, template and recipient."""
    form = EmailFilterForm(request.GET or None, templates=selectors.email_templates())
    filters = form.cleaned_data if form.is_valid() else {}
    emails = selectors.emails_search(
        state=filters.get("state", ""),
        template=filters.get("template", ""),
        recipient=filters.get("q", ""),
    )
    page = Paginator(emails, EMAILS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "backoffice/emails/email_list.html", {"form": form, "page": page})


def _rendered(email: OutboxEmail) -> dict:
    """The message as the templates render it now (or why they cannot)."""
    try:
        message = email_render(email)
    except Exception as exc:  # a missing template or a broken context: say so
        return {"error": f"{type(exc).__name__}: {exc}"}
    html = next((c for c, mime in message.alternatives if mime == "text/html"), "")
    return {"subject": message.subject, "text": message.body, "html": html}


@staff_required(VIEW_PERM)
@require_http_methods(["GET", "HEAD"])
def email_detail(request, pk: int):
    """/staff/emails/<id>/: the row, its attempts, the rendered message (the HTML in a
    sandboxed frame: no scripts, no access to this page); resend."""
    email = _email_or_404(pk)
    return render(
        request,
        "backoffice/emails/email_detail.html",
        {
            "email": email,
            "rendered": _rendered(email),
            "resendable": email.state in RESENDABLE,
            "may_resend": request.user.has_perm(RESEND_PERM),
        },
    )


@staff_required(VIEW_PERM, RESEND_PERM)
@require_http_methods(["POST"])
def email_resend_view(request, pk: int):
    """Resend: a confirmation first; then a copy is queued as a new row (audited
    ``email.resent``) and its page is shown."""
    email = _email_or_404(pk)
    if email.state not in RESENDABLE:
        messages.error(
            request, _("This email is still on its way: it can be resent once it has left.")
        )
        return redirect("backoffice:email_detail", pk=email.pk)
    form = EmailResendForm(request.POST)
    if not (form.is_valid() and form.cleaned_data["confirmed"]):
        return render(request, "backoffice/emails/email_resend.html", {"email": email})
    copy = email_resend(email=email, actor=request.user)
    messages.success(
        request,
        _("A copy has been queued for %(to)s (No. %(id)s).") % {"to": copy.to_email, "id": copy.pk},
    )
    return redirect("backoffice:email_detail", pk=copy.pk)
