from getpass import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from patients.models import Clinic, Role, User
from patients.services import clinician_create


class Command(BaseCommand):
    help = (
        "Create a physio, physician, admin or clinic admin account in one or more clinics (--clinic SLUG, repeated; "
        "default: the install's first clinic). Prompts for the password when --password is absent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--role", required=True, choices=[Role.PHYSIO, Role.PHYSICIAN, Role.ADMIN, Role.CLINIC_ADMIN]
        )
        parser.add_argument("--password")
        parser.add_argument("--clinic", action="append", dest="clinics", metavar="SLUG", help="A clinic's slug")

    def handle(self, *args, username, role, password, clinics=None, **options):
        found = list(Clinic.objects.filter(slug__in=clinics)) if clinics else None
        if clinics and len(found) != len(set(clinics)):
            missing = sorted(set(clinics) - {c.slug for c in found})
            raise CommandError(f"No clinic with the slug {', '.join(missing)} (add_clinic creates one).")
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user named {username!r} already exists.")
        if password is None:
            password = getpass("Password: ")
            if getpass("Password (again): ") != password:
                raise CommandError("The passwords differ.")
        try:
            validate_password(password, User(username=username))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        user = clinician_create(username=username, role=role, password=password, clinics=found)
        self.stdout.write(self.style.SUCCESS(f"Created {role} {user.username} (id {user.id})."))
