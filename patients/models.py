"""People: users with a role, patients with their care team, check-ins, VISA-A."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from core.roles import Role

from .visa_a import item_errors, score

LOGO_RULE = "A path on this site (starting with /) or a data:image/…;base64, URL."


class Clinic(models.Model):
    """One clinic of the install. Every patient belongs to one (``Patient.clinic``), staff through a membership;
    every row with a patient (program, logs, flags, messages …) belongs to the patient's clinic."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    logo_url = models.CharField(
        max_length=2000,
        blank=True,
        validators=[RegexValidator(r"^(/[^/\\]|data:image/(png|jpeg|svg\+xml|webp);base64,)", LOGO_RULE)],
        help_text="The clinic's logo in the app: a path on this site (/static/…) or a data:image URL (the app's "
        "Content-Security-Policy loads images from this site only)",
    )
    colour = models.CharField(
        max_length=7,
        default="#0f766e",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "A colour is #rrggbb.")],
        help_text="The app's accent colour for this clinic's users, #rrggbb",
    )
    public_url = models.URLField(
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The clinic's public address of the app (invites and e-mails link here; empty: APP_URL)",
    )
    opening_hours = models.TextField(blank=True, help_text="e.g. Mon–Fri 8–16")
    contact_phone = models.CharField(
        max_length=32,
        blank=True,
        validators=[RegexValidator(r"^\+?[0-9 ()-]{3,31}$", "A phone number: digits, spaces, + ( ) -.")],
        help_text="The number the app's call button dials (red-flag advice, contact)",
    )
    red_flag_contact = models.TextField(
        blank=True, help_text="Added to the red-flag advice: whom to call, e.g. out of hours"
    )
    settings = models.JSONField(
        default=dict, blank=True, help_text="Overrides of the install's clinical thresholds and reminder defaults"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PATIENT)
    # The language the server's texts are written in for this user (settings.LANGUAGES); blank: the request's
    # Accept-Language, else English. Set by the app's language choice (PATCH /api/v1/me/).
    language = models.CharField(max_length=8, blank=True, default="", choices=settings.LANGUAGES)
    clinics = models.ManyToManyField(Clinic, through="Membership", related_name="staff", blank=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            # "Alice" and "alice" are one person: two racing sign-ups cannot both take the name.
            models.UniqueConstraint(Lower("username"), name="username_unique_ignoring_case"),
        ]


class Membership(models.Model):
    """A staff user works in a clinic. A clinician usually belongs to one; an organisation admin to several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "clinic"], name="membership_once_per_clinic")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.clinic_id}"


class Side(models.TextChoices):
    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"


class Tendinopathy(models.TextChoices):
    MIDPORTION = "midportion"
    INSERTIONAL = "insertional"


RECORD_NUMBER_UNIQUE = "record_number_once_per_clinic"


class Patient(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="patient")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    timezone = models.CharField(max_length=64, help_text="IANA time zone, e.g. Europe/Copenhagen")
    side = models.CharField(max_length=8, choices=Side.choices)
    tendinopathy = models.CharField(max_length=16, choices=Tendinopathy.choices)
    physio = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="physio_patients", limit_choices_to={"role": Role.PHYSIO}
    )
    physician = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="physician_patients",
        limit_choices_to={"role": Role.PHYSICIAN},
    )
    # The sides before the current one, oldest first: [{"side": "left", "until": "2026-03-15"}, …] ("until" is
    # the last day of that side). Adherence judges each day by the side then in force: a change never rewrites
    # the days before it. Kept on the row, so reading a patient's days needs no other query.
    side_history = models.JSONField(default=list, blank=True)
    reminders_enabled = models.BooleanField(default=True)
    # When the patient first finished or skipped the introduction: on the account, so it shows once per
    # patient, not once per phone (null: not seen yet).
    onboarded_at = models.DateTimeField(null=True, blank=True)
    # Identity (the names and the e-mail address are on the user: AbstractUser's fields). Blank on rows from
    # before identity was recorded. Personal data: never in a log line, a task argument or an error report.
    birth_date = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=32, blank=True, help_text="Mobile number, international form: +4512345678")
    record_number = models.CharField(max_length=64, blank=True, help_text="The clinic's own record number, if any")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["timezone"], name="patient_timezone")]  # the reminder sweep's zones
        constraints = [  # a clinic's record number names one patient there (blank: none recorded)
            models.UniqueConstraint(
                fields=["clinic", "record_number"], condition=~Q(record_number=""), name=RECORD_NUMBER_UNIQUE
            )
        ]

    def __str__(self) -> str:
        return self.user.username

    def side_on(self, day: dt.date) -> str:
        """The affected side (left, right or both) in force on the patient-local date ``day``."""
        for entry in self.side_history:
            if day.isoformat() <= entry["until"]:
                return entry["side"]
        return self.side


class RedFlag(models.TextChoices):
    """Check-in answers that stop the exercises (docs/clinical.md §8.1: AAOS 2009, AAFP 2002)."""

    SUDDEN_POP = "sudden_pop", "A sudden pop or a feeling of being kicked in the heel"
    CANNOT_HEEL_RAISE = "cannot_heel_raise", "Cannot rise onto the toes of the affected leg"
    SWELLING_OR_REDNESS = "swelling_or_redness", "The tendon is warm, red or swollen"
    FEVER = "fever", "Fever or feeling unwell"
    FLUOROQUINOLONE_OR_STEROID = "fluoroquinolone_or_steroid", "New pain after an antibiotic (quinolone) or steroids"


class CheckIn(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="checkins")
    date = models.DateField()
    morning_pain = models.PositiveSmallIntegerField()
    morning_stiffness_minutes = models.PositiveSmallIntegerField()
    red_flags = models.JSONField(default=list, blank=True)
    client_id = models.UUIDField(
        null=True, blank=True, unique=True, help_text="Set by an offline client: a retry is the same check-in"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["patient", "date"]),
            # the hourly catch-up looks for red-flag check-ins by when they were recorded, whatever their date
            models.Index(fields=["created_at"], condition=~Q(red_flags=[]), name="checkin_red_flag_recorded"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(morning_pain__lte=10), name="checkin_morning_pain_0_10"),
            models.CheckConstraint(condition=Q(morning_stiffness_minutes__lte=1440), name="checkin_stiffness_max_day"),
        ]

    def __str__(self) -> str:
        return f"check-in {self.date}"


class VisaA(models.Model):
    """A VISA-A questionnaire (Robinson et al., Br J Sports Med 2001;35:335), 0–100."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="visa_a")
    date = models.DateField()
    answers = models.JSONField()
    item8_branch = models.CharField(
        max_length=1,
        choices=[("A", "A: no pain during sport"), ("B", "B: pain that does not stop training"),
                 ("C", "C: pain that stops training")],
        blank=True,
        help_text="Item 8's branch; empty when the patient's value fits more than one and none was given",
    )  # fmt: skip
    score = models.PositiveSmallIntegerField()
    client_id = models.UUIDField(
        null=True, blank=True, unique=True, help_text="Set by an offline client: a retry is the same questionnaire"
    )
    entered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = "VISA-A"
        verbose_name_plural = "VISA-A questionnaires"
        indexes = [models.Index(fields=["patient", "date"])]
        constraints = [models.CheckConstraint(condition=Q(score__lte=100), name="visa_a_score_0_100")]

    def __str__(self) -> str:
        return f"VISA-A {self.score} on {self.date}"

    def save(self, *args, **kwargs):
        # The score is the answers' sum whoever enters them: a typed score is never kept.
        self.score = score(self.answers)
        super().save(*args, **kwargs)

    def clean(self):
        errors = item_errors(self.answers, self.item8_branch or None)
        if errors:
            raise ValidationError({"answers": errors})


class ClinicalNote(models.Model):
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="clinical_notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"note by {self.author_id} on {self.created_at:%Y-%m-%d}"


class AuditEvent(models.Model):
    """Who looked at or changed which patient's data, when. Append-only (a database trigger on PostgreSQL)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Plain ids, no cascading: the trail outlives the rows it speaks of.
    user = models.ForeignKey(User, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    action = models.CharField(max_length=8)  # read | create | change | delete
    what = models.CharField(max_length=200)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "-at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.action} patient {self.patient_id}: {self.what}"


class InvitationChannel(models.TextChoices):
    EMAIL = "email"
    SMS = "sms"
    SCREEN = "screen", "Shown on screen or printed (QR code)"


class Invitation(models.Model):
    """A one-time link that lets a patient set their own password. Only the token's SHA-256 is stored; a new
    invitation of the same patient revokes the one before (one live invitation per patient)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=8, choices=InvitationChannel.choices)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_live_invitation_per_patient",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.id} of patient {self.patient_id}"


class AccessDay(models.Model):
    """A patient-local day on which the patient opened the app: a data day of remote therapeutic monitoring
    under the clinic's "access" rule (docs/rtm.md)."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="access_days")
    date = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "date"], name="one_access_day_per_patient")]

    def __str__(self) -> str:
        return f"{self.patient_id} opened the app on {self.date}"
