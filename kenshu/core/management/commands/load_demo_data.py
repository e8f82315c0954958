from django.core.management.base import BaseCommand

from kenshu.core.demo import demo_data_load


class Command(BaseCommand):
    help = "Load the demo catalogue and users (idempotent)."

    def handle(self, *args, **options):
        created = demo_data_load()
        summary = ", ".join(f"{name} {count}" for name, count in created.items())
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded (created: {summary})"))
