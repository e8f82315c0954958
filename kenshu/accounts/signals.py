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
