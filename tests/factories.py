import datetime as dt
import uuid

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from exercises.models import Demonstration, Program, SetLog
from patients.models import Clinic, Membership, Patient, Role, User

PASSWORD = "correct-horse-battery"


class ClinicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Clinic

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")
    contact_phone = "+45 70 20 30 40"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.PATIENT
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def clinics(obj, create, extracted, **kwargs):
        """Staff belong to the default clinic, superusers (the install's admins, as after the migration) to none,
        unless given ``clinics=[…]``."""
        if not create or obj.role == Role.PATIENT:
            return
        if extracted is None:
            extracted = [] if obj.is_superuser else default_clinic_list()
        for clinic in extracted:
            Membership.objects.get_or_create(user=obj, clinic=clinic)


def default_clinic_list() -> list[Clinic]:
    return [main_clinic()]


def main_clinic() -> Clinic:
    """The default clinic (slug main) every factory row joins unless told otherwise."""
    return Clinic.objects.get_or_create(slug="main", defaults={"name": "Rehab Tracker clinic"})[0]


class PhysioFactory(UserFactory):
    username = factory.Sequence(lambda n: f"physio{n}")
    role = Role.PHYSIO


class PhysicianFactory(UserFactory):
    username = factory.Sequence(lambda n: f"physician{n}")
    role = Role.PHYSICIAN


class AdminFactory(UserFactory):
    username = factory.Sequence(lambda n: f"admin{n}")
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    user = factory.SubFactory(UserFactory)
    clinic = factory.LazyFunction(main_clinic)
    timezone = "Europe/Copenhagen"
    side = "left"
    tendinopathy = "midportion"
    physio = factory.SubFactory(PhysioFactory)
    physician = factory.SubFactory(PhysicianFactory)


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program

    patient = factory.SubFactory(PatientFactory)
    protocol = "alfredson"
    start_date = dt.date(2026, 3, 2)


class SetLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SetLog

    client_id = factory.LazyFunction(uuid.uuid4)
    program = factory.SubFactory(ProgramFactory)
    patient = factory.LazyAttribute(lambda o: o.program.patient)
    date = factory.LazyAttribute(lambda o: o.program.start_date)
    week = factory.LazyAttribute(lambda o: (o.date - o.program.start_date).days // 7 + 1)
    exercise = "eccentric_heel_drop_straight"
    reps = 15
    load_kg = 0
    pain = 3
    session = "am"


# The first bytes of a WebM (EBML) file, then a counter: enough for the upload checks and range requests.
WEBM_BYTES = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 4


class DemonstrationFactory(factory.django.DjangoModelFactory):
    """A clinic's video (give the test a MEDIA_ROOT of its own: tests/test_demonstration_serving.py)."""

    class Meta:
        model = Demonstration

    exercise = "eccentric_heel_drop_straight"
    kind = "video"
    file = factory.LazyFunction(lambda: SimpleUploadedFile("drop.webm", WEBM_BYTES, content_type="video/webm"))
    caption = "Lowering on the injured leg off a step, knee straight"


def visa_answers(score: int) -> list[int]:
    """Valid VISA-A answers that sum to ``score`` (0–100): the model always keeps the sum."""
    extra = [10, 30] if score > 60 else [0, 0]  # item 7 "competing", item 8 branch A "over 30 min"
    rest = score - sum(extra)
    return [min(10, max(0, rest - 10 * i)) for i in range(6)] + extra


def full_days(program, first: dt.date, last: dt.date, pain=2):
    """Every prescribed set of every day from ``first`` to ``last``, recorded now."""
    day, rows = first, []
    while day <= last:
        for session in ("am", "pm"):
            for exercise in ("eccentric_heel_drop_straight", "eccentric_heel_drop_bent"):
                rows += [SetLog(patient=program.patient, program=program, date=day, week=program.week_on(day),
                                exercise=exercise, reps=15, pain=pain, session=session) for _ in range(3)]  # fmt: skip
        day += dt.timedelta(days=1)
    SetLog.objects.bulk_create(rows)
