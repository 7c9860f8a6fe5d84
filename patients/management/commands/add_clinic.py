from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from patients.models import Clinic


class Command(BaseCommand):
    help = "Create a clinic (its settings, contact texts and looks are then changed in the admin or the API)."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--phone", default="", help="The number the app's call button dials")
        parser.add_argument("--public-url", default="", help="The clinic's public address of the app")

    def handle(self, *args, name, slug, phone, public_url, **options):
        if Clinic.objects.filter(slug=slug).exists():
            raise CommandError(f"A clinic with the slug {slug!r} already exists.")
        clinic = Clinic(name=name, slug=slug, contact_phone=phone, public_url=public_url)
        try:
            clinic.full_clean()
        except ValidationError as exc:
            raise CommandError(" ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        clinic.save()
        self.stdout.write(self.style.SUCCESS(f"Created clinic {clinic.name} ({clinic.slug}, id {clinic.id})."))
