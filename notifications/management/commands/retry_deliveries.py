from django.core.management.base import BaseCommand

from notifications.deliveries import send_inline, stale_delivery_ids

from ._now import parse_now


class Command(BaseCommand):
    help = "Send, in this process, the channel deliveries whose task was lost or whose worker died."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Behave as if it were this instant (ISO 8601 with offset)")

    def handle(self, *args, now=None, **options):
        from django.utils import timezone

        ids = stale_delivery_ids(parse_now(now) or timezone.now())
        for delivery_id in ids:
            send_inline(delivery_id)
        self.stdout.write(f"{len(ids)} delivery(ies) retried.")
