from django.core.management.base import BaseCommand

from notifications import escalation
from notifications.deliveries import inline_delivery

from ._now import parse_now


class Command(BaseCommand):
    help = "Evaluate adherence, pain, red flags and outcomes once, in this process, and raise flags."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Behave as if it were this instant (ISO 8601 with offset)")

    def handle(self, *args, now=None, **options):
        with inline_delivery():
            figures = escalation.evaluate(now=parse_now(now))
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in figures.items()))
