from django.db import migrations

DEFAULT_SLUG = "main"


def one_default_clinic(apps, schema_editor):
    """Every existing patient, and every existing clinician (not the install's superusers: they keep seeing the
    whole install), belongs to one default clinic."""
    Clinic = apps.get_model("patients", "Clinic")
    Patient = apps.get_model("patients", "Patient")
    User = apps.get_model("patients", "User")
    Membership = apps.get_model("patients", "Membership")
    if not Patient.objects.exists() and not User.objects.exclude(role="patient").exists():
        return  # a fresh install: its first clinic is set up by whoever sets it up
    clinic, _ = Clinic.objects.get_or_create(slug=DEFAULT_SLUG, defaults={"name": "Rehab Tracker clinic"})
    Patient.objects.filter(clinic__isnull=True).update(clinic=clinic)
    staff = User.objects.exclude(role="patient").filter(is_superuser=False, patient__isnull=True)
    Membership.objects.bulk_create(
        [Membership(user_id=pk, clinic=clinic) for pk in staff.values_list("pk", flat=True)], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("patients", "0016_clinics_and_memberships")]

    operations = [migrations.RunPython(one_default_clinic, migrations.RunPython.noop)]
