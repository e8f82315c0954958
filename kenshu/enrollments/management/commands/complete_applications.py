import time

from django.core.management.base import BaseCommand

from kenshu.enrollments.services.completion import (
    applications_complete_held,
    applications_complete_pending,
)

#: With --loop, the look at every application left without its invoice (the safety
#: net) runs this often; the look at the applications of the last hour, every loop.
SWEEP_EVERY = 60.0


class Command(BaseCommand):
    help = (
        "Complete the applications of the last hour (issue each one's invoice and send its "
        "acceptance email), then every application still without its invoice. With "
        "--loop N, keep completing the recent ones every N seconds (1 in production) and "
        "the others every minute."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=float, default=0, metavar="SECONDS")

    def handle(self, *args, loop: float, **options):
        swept_at = None
        while True:
            done = applications_complete_held()
            if swept_at is None or time.monotonic() - swept_at >= SWEEP_EVERY:
                done += applications_complete_pending()
                swept_at = time.monotonic()
            if done or options["verbosity"] > 1:
                self.stdout.write(f"completed {done} application(s)")
            if not loop:
                return
            time.sleep(loop)
