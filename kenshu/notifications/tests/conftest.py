import pytest

from .mail_backends import FlakySMTPBackend


@pytest.fixture
def flaky_smtp(settings):
    """Send through ``FlakySMTPBackend``; set ``flaky_smtp.failures_left`` to make sends fail."""
    settings.EMAIL_BACKEND = f"{FlakySMTPBackend.__module__}.{FlakySMTPBackend.__qualname__}"
    FlakySMTPBackend.failures_left = 0
    FlakySMTPBackend.sends_tried = 0
    yield FlakySMTPBackend
    FlakySMTPBackend.failures_left = 0
    FlakySMTPBackend.sends_tried = 0


@pytest.fixture
def deferring_task_backend(settings):
    """A task backend that records tasks without running them (as if no worker were up).

    Rows are then sent only by ``outbox_dispatch_due``, the safety net.
    """
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default"],
        }
    }
    from django_tasks import task_backends

    return task_backends["default"]
