"""allauth, fitted to Kenshu: user IDs, user types, and every email through the outbox."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation

from kenshu.notifications.services import email_queue


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        """The user ID defaults to the email address (R-ACCT-1)."""
        if not user.username:
            user.username = user.email
        super().populate_username(request, user)

    def save_user(self, request, user, form, commit=True):
        data = form.cleaned_data
        for name in ("last_name_kana", "first_name_kana", "department"):
            if name in data:
                setattr(user, name, data[name])
        if data.get("user_type"):
            user.user_type = data["user_type"]
        user.language = translation.get_language() or "ja"
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render allauth's message now (its context holds live objects) and queue it
        in the outbox, so that it is recorded, retried and visible in the email log."""
        request = allauth_context.request
        ctx = {"email": email, "request": request}
        ctx.update(context)
        ctx.setdefault("current_site", get_current_site(request))
        message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (
                body
                for body, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        user = context.get("user")
        email_queue(
            template="rendered",
            to=email,
            language=translation.get_language() or "ja",
            context={
                "subject": message.subject,
                "text": message.body,
                "html": html,
                "source": template_prefix.rsplit("/", 1)[-1],
            },
            related=user if getattr(user, "pk", None) else None,
        )
