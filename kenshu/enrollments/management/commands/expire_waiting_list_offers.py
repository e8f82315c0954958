import time

from django.core.management.base import BaseCommand

from kenshu.enrollments.services import waiting_list_expire_offers


class Command(BaseCommand):
    help = (
        "Expire waiting-list offers past their time and offer those seats to the next "
        "people waiting. With --loop N, keep doing so every N seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, metavar="SECONDS")

    def handle(self, *args, loop: float, **options):
        while True:
            expired = waiting_list_expire_offers()
            if expired or options["verbosity"] > 1:
                self.stdout.write(f"expired {expired} offer(s)")
            if not loop:
                return
            time.sleep(loop)
