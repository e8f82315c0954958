from django_tasks import task


@task()
def remind_user_ids(email: str, language: str) -> bool:
    """Background half of 'forgot user ID': look the address up and email its user IDs."""
    from .services import user_ids_remind

    return user_ids_remind(email=email, language=language)
