from django_tasks import task


@task()
def send_outbox_email(email_id: int) -> str:
    """Background task: send one outbox row (see services.outbox_send)."""
    from .services import outbox_send

    return str(outbox_send(email_id))


@task()
def send_outbox_emails(email_ids: list[int]) -> list[str]:
    """Background task: send several outbox rows of one change, one after the other."""
    from .services import outbox_send

    return [str(outbox_send(email_id)) for email_id in email_ids]
