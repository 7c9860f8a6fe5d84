from getpass import getpass

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from patients.models import Role, User
from patients.services import clinician_create


class Command(BaseCommand):
    help = "Create a physio, physician or admin account (prompts for the password when --password is absent)."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=[Role.PHYSIO, Role.PHYSICIAN, Role.ADMIN])
        parser.add_argument("--password")

    def handle(self, *args, username, role, password, **options):
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
        user = clinician_create(username=username, role=role, password=password)
        self.stdout.write(self.style.SUCCESS(f"Created {role} {user.username} (id {user.id})."))
