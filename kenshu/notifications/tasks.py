from django_tasks import task


@task()
def send_outbox_email(email_id: int) -> str:
    """Background task: send one outbox row (see services.outbox_send)."""
    from .services import outbox_send

    return str(outbox_send(email_id))
