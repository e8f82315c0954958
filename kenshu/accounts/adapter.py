"""allauth, fitted to Kenshu: user IDs, user types, and every email through the outbox."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.shortcuts import get_current_site
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kenshu.notifications.services import email_queue


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # We log in by user ID (ユーザーID), not by "user name".
        "username_password_mismatch": _("The user ID or password is not correct."),
        # allauth takes AbstractUser's "A user with that username already exists."
        "username_taken": _("This user ID is already taken."),
    }

    def format_email_subject(self, subject: str) -> str:
        """「【provider】subject」 like Kenshu's own emails, not "[host name] subject"."""
        return gettext("[%(provider_name)s] %(subject)s") % {
            "provider_name": settings.KENSHU_PROVIDER_NAME,
            "subject": subject,
        }

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        """Give the notification ("password changed"...) its user: for the greeting,
        and so that the outbox row is related to the account."""
        return super().send_notification_mail(
            template_prefix, user, {"user": user, **(context or {})}, email=email
        )

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
        ctx.setdefault("provider_name", settings.KENSHU_PROVIDER_NAME)
        ctx.setdefault("site_url", settings.KENSHU_SITE_URL.rstrip("/"))
        ctx.setdefault("password_reset_hours", settings.PASSWORD_RESET_TIMEOUT // 3600)
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
