from django.core.management.base import BaseCommand

from kenshu.accounts.models import User
from kenshu.core.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo users and their password."

    def handle(self, *args, **options):
        labels = dict(User.UserType.choices)
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD})")
        for demo in DEMO_USERS:
            kind = "staff (administrator)" if demo.is_staff else str(labels[demo.user_type])
            self.stdout.write(f"  {demo.username:<16} {kind}")
