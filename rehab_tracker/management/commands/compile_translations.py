"""Compile every ``locale/<lang>/LC_MESSAGES/django.po`` into its ``.mo`` (build output, not committed).

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``, which a clean machine or the slim image may
lack; polib (pure Python) writes the same files. ``./run.sh start``, ``./run.sh test``, the test session and
the image run it; a ``.mo`` newer than its ``.po`` is left alone.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from rehab_tracker.translations import translations_compile


class Command(BaseCommand):
    help = "Compile the project's .po files to .mo (no GNU gettext needed)."

    def handle(self, *args, **options):
        for path in translations_compile(locale_paths=settings.LOCALE_PATHS):
            self.stdout.write(f"compiled {path}")
