from django.core.management.base import BaseCommand

from notifications import reminders
from notifications.deliveries import inline_delivery

from ._now import parse_now


class Command(BaseCommand):
    help = "Run the reminder sweep once, in this process (deliveries included; no worker needed)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Behave as if it were this instant (ISO 8601 with offset)")

    def handle(self, *args, now=None, **options):
        moment = parse_now(now)
        ids = reminders.sweep(now=moment)
        with inline_delivery():
            deliveries = reminders.process(reminder_ids=ids, now=moment)
        self.stdout.write(f"{len(ids)} reminder(s) processed, {len(deliveries)} channel deliveries.")
