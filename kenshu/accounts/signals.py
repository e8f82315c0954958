from allauth.account.signals import email_confirmed, password_reset
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def sync_roles_after_migrate(sender, **kwargs):
    """Permissions are created per app after migrate; keep the role groups in step.

    Runs for every app (it is idempotent and cheap) so that the permissions of
    apps listed after ``accounts`` are granted too.
    """
    from .roles import roles_sync

    roles_sync()


@receiver(email_confirmed)
def welcome_after_verification(sender, request, email_address, **kwargs):
    """The welcome email with the user ID follows the first verification (R-ACCT-1)."""
    from .services import user_welcome

    user_welcome(user=email_address.user)


@receiver(password_reset)
def verify_email_after_password_reset(sender, request, user, **kwargs):
    """A reissue link opened from the mailbox proves the address: migrated and invited
    members, who never verified it, can log in straight after setting a password."""
    from .services import user_email_verified

    user_email_verified(user=user)
