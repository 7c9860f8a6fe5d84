from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.roles import Role, role_of
from patients.models import Patient, User
from records.erasure import patient_erase
from records.export import csv_rows, fhir_bundle


class Command(BaseCommand):
    help = "Export a patient's data (GDPR art. 20) and erase it (art. 17); the audit trail keeps the erasure."

    def add_arguments(self, parser):
        parser.add_argument("--patient", type=int, required=True, help="Patient id")
        parser.add_argument("--by", required=True, help="Username of the admin who acts on the request")
        parser.add_argument("--export", type=Path, help="Write the FHIR Bundle and the CSV here first (a folder)")
        parser.add_argument("--yes", action="store_true", help="Erase without asking")

    def handle(self, *args, patient, by, export=None, yes=False, **options):
        target = Patient.objects.filter(pk=patient).select_related("user").first()
        admin = User.objects.filter(username=by).first()
        if target is None:
            raise CommandError(f"No patient {patient}.")
        if admin is None or role_of(admin) != Role.ADMIN:
            raise CommandError("--by must name an admin.")
        if export:
            export.mkdir(parents=True, exist_ok=True)
            (export / f"patient-{patient}.fhir.json").write_text("".join(fhir_bundle(target)))
            (export / f"patient-{patient}.csv").write_text("".join(csv_rows(target)))
            self.stdout.write(f"Exported to {export}.")
        if not yes and input(f"Erase patient {patient} and all their data? Type 'erase': ") != "erase":
            raise CommandError("Nothing erased.")
        deleted = patient_erase(patient=target, by=admin)
        self.stdout.write(f"Erased patient {patient}: " + ", ".join(f"{k} {v}" for k, v in sorted(deleted.items())))
