from django.core.management.base import BaseCommand

from notifications import aftercare
from notifications.deliveries import inline_delivery

from ._now import parse_now


class Command(BaseCommand):
    help = "Remind the due 6- and 12-month follow-up VISA-As once and judge the answered ones, in this process."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Behave as if it were this instant (ISO 8601 with offset)")

    def handle(self, *args, now=None, **options):
        with inline_delivery():
            done = aftercare.follow_ups_sweep(now=parse_now(now))
        self.stdout.write(f"follow-ups reminded or flagged: {done}")
