from django.core.management.base import BaseCommand

from messaging.services import messages_purge


class Command(BaseCommand):
    help = "Delete messages older than MESSAGE_RETENTION_DAYS (the daily task, run once)."

    def handle(self, *args, **options):
        self.stdout.write(f"{messages_purge()} messages deleted")
