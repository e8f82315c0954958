import time

from django.core.management.base import BaseCommand

from kenshu.notifications.services import outbox_dispatch_due


class Command(BaseCommand):
    help = "Send every due outbox email. With --loop N, keep doing so every N seconds."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, metavar="SECONDS")

    def handle(self, *args, loop: float, **options):
        while True:
            sent = outbox_dispatch_due()
            if sent or options["verbosity"] > 1:
                self.stdout.write(f"sent {sent} email(s)")
            if not loop:
                return
            time.sleep(loop)
