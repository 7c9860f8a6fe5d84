"""Programs (a patient's enrollment in a protocol), their pauses, and set logs."""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from . import mediafiles
from .protocols import PROGRAM_DAYS, PROGRAM_WEEKS, Exercise, ProtocolSlug, Session


class ProgramStatus(models.TextChoices):
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    STOPPED = "stopped"


CURRENT_STATUSES = (ProgramStatus.ACTIVE, ProgramStatus.PAUSED)


class Program(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="programs")
    protocol = models.CharField(max_length=32, choices=ProtocolSlug.choices)
    start_date = models.DateField(help_text="Patient-local first day")
    end_date = models.DateField(help_text="start_date + 83 days + the days of every ended pause")
    status = models.CharField(max_length=16, choices=ProgramStatus.choices, default=ProgramStatus.ACTIVE)
    # HSR training weekdays, Monday=0; empty means the default (start weekday, +2, +4).
    training_weekdays = models.JSONField(default=list, blank=True)
    # Added load in kg per exercise slug.
    loads = models.JSONField(default=dict, blank=True)
    stopped_on = models.DateField(null=True, blank=True, help_text="First day no longer prescribed")
    # docs/clinical.md §3: a protocol that does not fit the tendinopathy type needs a clinician's written reason.
    override_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            # One current (active or paused) program per patient.
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status__in=CURRENT_STATUSES), name="one_current_program_per_patient"
            ),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="program_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.protocol} from {self.start_date} ({self.status})"

    def save(self, *args, **kwargs):
        if self.start_date and not self.end_date:
            self.end_date = self.start_date + dt.timedelta(days=PROGRAM_DAYS - 1)
        super().save(*args, **kwargs)

    @cached_property
    def pause_list(self) -> list["ProgramPause"]:
        """The pauses, read once per instance (from a prefetch when the caller made one)."""
        return list(self.pauses.all())

    def prescribes_on(self, day: dt.date) -> bool:
        """False on paused days and from the day the program was stopped."""
        if self.stopped_on and day >= self.stopped_on:
            return False
        return not any(p.covers(day) for p in self.pause_list)

    @property
    def insertional(self) -> bool:
        return self.patient.tendinopathy == "insertional"

    @property
    def open_pause(self) -> "ProgramPause | None":
        return next((p for p in self.pause_list if p.end_date is None), None)

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` is inside the program: from the start to the end date (open-ended while paused)."""
        if day < self.start_date or (self.stopped_on and day >= self.stopped_on):
            return False
        return day <= self.end_date or self.open_pause is not None

    def week_on(self, day: dt.date) -> int | None:
        """The program week (1–12) of ``day``, counting unpaused days only (docs/clinical.md §7.3), None outside.

        A paused day carries the week the program resumes in.
        """
        if not self.covers(day):
            return None
        paused = sum(p.days_before(day) for p in self.pause_list)
        return min(((day - self.start_date).days - paused) // 7 + 1, PROGRAM_WEEKS)

    def paused_on(self, day: dt.date) -> "ProgramPause | None":
        return next((p for p in self.pause_list if p.covers(day)), None)


class PauseReason(models.TextChoices):
    CLINICIAN = "clinician"  # a physio paused the program
    RED_FLAG = "red_flag"  # docs/clinical.md §8: the exercises stop until a clinician resolves the red flag


class ProgramPause(models.Model):
    """Days that prescribe nothing; an ended pause moves the program's end date by its length."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(max_length=16, choices=PauseReason.choices, default=PauseReason.CLINICIAN)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True, help_text="Last paused day; empty while paused")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_date", "id"]

    def __str__(self) -> str:
        return f"{self.start_date}–{self.end_date or '…'}"

    def covers(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    def days_before(self, day: dt.date) -> int:
        """Paused days of this pause before ``day``."""
        last = day - dt.timedelta(days=1) if self.end_date is None else min(self.end_date, day - dt.timedelta(days=1))
        return max(0, (last - self.start_date).days + 1)

    @property
    def length(self) -> int:
        return 0 if self.end_date is None else (self.end_date - self.start_date).days + 1


class SetLog(models.Model):
    """One performed set; ``client_id`` makes offline sync idempotent."""

    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="set_logs")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="set_logs")
    date = models.DateField(help_text="Patient-local date the set was done")
    week = models.PositiveSmallIntegerField(help_text="Program week 1–12 of the date")
    exercise = models.CharField(max_length=40, choices=Exercise.choices)
    reps = models.PositiveSmallIntegerField()
    load_kg = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    pain = models.PositiveSmallIntegerField(help_text="Pain during the set, 0–10")
    session = models.CharField(max_length=2, choices=Session.choices, null=True, blank=True)
    # The leg the set was done with (docs/clinical.md §7.2): with side = both each leg owes the full prescription.
    side = models.CharField(max_length=5, choices=[("left", "left"), ("right", "right")], default="left")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["program", "date"]),
            models.Index(fields=["patient", "date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(pain__lte=10), name="setlog_pain_0_10"),
            models.CheckConstraint(condition=Q(reps__gte=1, reps__lte=500), name="setlog_reps_1_500"),
            models.CheckConstraint(condition=Q(load_kg__gte=0, load_kg__lte=500), name="setlog_load_0_500"),
            models.CheckConstraint(condition=Q(week__gte=1, week__lte=12), name="setlog_week_1_12"),
        ]

    def __str__(self) -> str:
        return f"{self.exercise} {self.reps}×{self.load_kg} kg on {self.date}"


class DeletedSetLog(models.Model):
    """A set the patient deleted, by id and whose it was (nothing else of it is kept): deleting it again is
    the same answer, not a 404, since an outbox resends a request whose answer it lost."""

    log_id = models.BigIntegerField(primary_key=True)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="+")
    deleted_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"set {self.log_id} deleted"


class ProgramChange(models.Model):
    """A physio's change to a program (status, variant, load, weekdays): who, when, from what to what."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=64)  # status, protocol, training_weekdays, load:<exercise>, …
    old_value = models.JSONField(null=True)
    new_value = models.JSONField(null=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class AdherenceSummary(models.Model):
    """A program's 7-day adherence exactly as ``adherence.py`` computes it, kept so that the caseload can be
    ordered by risk and paged in SQL. Valid until the patient's next local midnight (the window moves then),
    or until a set log or a program change for it (``summaries.invalidate``), whichever comes first."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, primary_key=True, related_name="summary")
    adherence_7d = models.FloatField(null=True)
    adherence_28d = models.FloatField(null=True)
    valid_until = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"program {self.program_id}: 7-day adherence {self.adherence_7d}"


class NextStep(models.TextChoices):
    """docs/clinical.md §11: what follows the 12 weeks, chosen by a clinician at the review."""

    MAINTENANCE = "maintenance"
    RETURN_TO_RUNNING = "return_to_running"
    DISCHARGED = "discharged"
    REFERRED = "referred"


class Referral(models.TextChoices):
    """The care pathway's next steps (docs/clinical.md §1) a patient may be referred on to."""

    SUPERVISED_REPEAT = "supervised_repeat"
    INJECTION = "injection"
    PRP = "prp"
    SHOCKWAVE = "shockwave"
    TENEX = "tenex"
    TENDON_SCRAPING = "tendon_scraping"
    SURGERY = "surgery"
    OTHER = "other"


class AfterCare(models.Model):
    """What comes after a program's 12 weeks (docs/clinical.md §11): one per program, chosen at the review.

    Maintenance runs from ``starts_on`` to ``ends_on`` (12 more weeks); return to running starts only once its
    gate is signed; discharged and referred end the care the app gives (follow-up VISA-A still asked)."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="aftercare")
    state = models.CharField(max_length=20, choices=NextStep.choices)
    starts_on = models.DateField(help_text="Patient-local first day of the state")
    ends_on = models.DateField(null=True, blank=True, help_text="Maintenance: the last day of its 12 weeks")
    referral = models.CharField(max_length=20, choices=Referral.choices, blank=True)
    referral_note = models.TextField(blank=True)
    chosen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    chosen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Referred on names the pathway's next step; no other state does.
            models.CheckConstraint(
                condition=(Q(state="referred") & ~Q(referral="")) | (~Q(state="referred") & Q(referral="")),
                name="aftercare_referral_iff_referred",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.state} after program {self.program_id}"


class RunningGate(models.Model):
    """The physio's signed return-to-running checklist (docs/clinical.md §11, Habets 2018: no agreed criteria,
    so each item is the physio's call): running starts only once it is signed with every item met."""

    aftercare = models.OneToOneField(AfterCare, on_delete=models.CASCADE, related_name="gate")
    pain_ok = models.BooleanField(help_text="Pain ≤ 2/10 walking and at rest")
    heel_raise_affected = models.PositiveSmallIntegerField(null=True, blank=True)
    heel_raise_other = models.PositiveSmallIntegerField(null=True, blank=True)
    heel_raise_ok = models.BooleanField(help_text="Single-leg heel raises, affected ≥ 90 % of the other side")
    hopping_ok = models.BooleanField(help_text="Hopping without pain above 2/10")
    patient_ready = models.BooleanField(help_text="The patient feels ready")
    note = models.TextField(blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True, help_text="Empty until signed")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"running gate {'signed' if self.signed_at else 'draft'}"


class RunLog(models.Model):
    """One walk–run session of the return-to-running progression, judged by the pain-monitoring rules
    (Silbernagel 2007, docs/clinical.md §5, §11)."""

    client_id = models.UUIDField(unique=True, default=uuid.uuid4)
    aftercare = models.ForeignKey(AfterCare, on_delete=models.CASCADE, related_name="run_logs")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="run_logs")
    date = models.DateField(help_text="Patient-local date")
    step = models.PositiveSmallIntegerField(help_text="The progression step the session was run at (1-based)")
    minutes_run = models.PositiveSmallIntegerField()
    pain_during = models.PositiveSmallIntegerField()
    pain_next_morning = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(pain_during__lte=10), name="runlog_pain_0_10"),
            models.CheckConstraint(
                condition=Q(pain_next_morning__isnull=True) | Q(pain_next_morning__lte=10), name="runlog_morning_0_10"
            ),
            models.CheckConstraint(condition=Q(minutes_run__gte=0, minutes_run__lte=300), name="runlog_minutes"),
        ]

    def __str__(self) -> str:
        return f"run {self.minutes_run} min on {self.date}"


class DemonstrationKind(models.TextChoices):
    VIDEO = mediafiles.VIDEO
    IMAGE = mediafiles.IMAGE


_A = {DemonstrationKind.VIDEO: "a video", DemonstrationKind.IMAGE: "an image"}


class Demonstration(models.Model):
    """A clinic's own demonstration of an exercise (a video, or one of a series of images), uploaded in the
    admin. The player shows the active ones in ``order``, in place of the project's illustration."""

    exercise = models.CharField(max_length=40, choices=Exercise.choices)
    kind = models.CharField(max_length=8, choices=DemonstrationKind.choices)
    file = models.FileField(
        upload_to=mediafiles.stored_name,
        max_length=200,
        validators=[mediafiles.validate_upload],
        help_text=f"{mediafiles.ALLOWED_TEXT}. Show no patient: every signed-in user of the app can see it.",
    )
    content_type = models.CharField(max_length=32, editable=False)
    size = models.PositiveBigIntegerField(editable=False, default=0, help_text="Bytes")
    caption = models.CharField(
        max_length=200, help_text="What it shows, in words: the alt text of an image, the caption of a video"
    )
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Only active demonstrations are shown and served")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["exercise", "order", "id"]
        indexes = [models.Index(fields=["file"], name="demonstration_file")]

    def __str__(self) -> str:
        return f"{self.get_exercise_display()}: {self.caption}"

    def save(self, *args, **kwargs):
        if self.file and not self.file._committed:
            self.content_type = mediafiles.sniff(self.file.file) or ""
            self.size = self.file.size
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.file and not self.file._committed:  # a new upload: its bytes say what it is
            found = mediafiles.kind_of(self.file.file)
            if found and self.kind and found != self.kind:
                raise ValidationError({"file": f"This file is {_A[found]}, not {_A[self.kind]}: choose its kind."})
