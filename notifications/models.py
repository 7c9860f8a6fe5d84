"""Notifications' rows: flags and their red-flag reports and outcome reviews, reminders and reminder times,
notifications with their channel deliveries, and Web Push subscriptions."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class FlagKind(models.TextChoices):
    NON_ADHERENCE = "non_adherence"
    PAIN = "pain"
    RED_FLAG = "red_flag"
    CLINICAL_REVIEW = "clinical_review"
    TREATMENT_REVIEW = "treatment_review"
    MISSING_OUTCOME = "missing_outcome"
    FOLLOW_UP_DECLINE = "follow_up_decline"  # docs/clinical.md §11: a follow-up VISA-A 10+ points below week 12


class FlagLevel(models.TextChoices):
    """Who a flag is for, in rising order: the physician's level outranks the physio's."""

    PHYSIO = "physio"
    PHYSICIAN = "physician"

    @classmethod
    def rank(cls, level: str) -> int:
        return list(cls.values).index(level)

    @classmethod
    def outranks(cls, level: str, other: str) -> bool:
        return cls.rank(level) > cls.rank(other)


class FlagStatus(models.TextChoices):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class RedFlagOutcome(models.TextChoices):
    """docs/clinical.md §8.5: what the program does once a clinician resolves a red flag."""

    RESUME = "resume"
    KEEP_PAUSED = "keep_paused"
    STOP = "stop"


def flag_priority():
    """An ordering expression: red flags first, then physician-level flags, then the rest (the inbox's order)."""
    return models.Case(
        models.When(kind=FlagKind.RED_FLAG, then=0),
        models.When(level=FlagLevel.PHYSICIAN, then=1),
        default=2,
        output_field=models.IntegerField(),
    )


class FlagQuerySet(models.QuerySet):
    """The one definition of an open flag: anything not resolved (open or acknowledged)."""

    def open(self) -> "FlagQuerySet":
        return self.exclude(status=FlagStatus.RESOLVED)

    def resolved(self) -> "FlagQuerySet":
        return self.filter(status=FlagStatus.RESOLVED)


class Flag(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=24, choices=FlagKind.choices)
    level = models.CharField(max_length=16, choices=FlagLevel.choices)
    reason = models.TextField()
    status = models.CharField(max_length=16, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    outcome = models.CharField(max_length=12, choices=RedFlagOutcome.choices, blank=True)
    # A red flag's decision as the patient reads it (the clinical ``note`` stays with the clinicians).
    patient_note = models.TextField(blank=True)

    objects = FlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # At most one unresolved flag per patient and kind.
            models.UniqueConstraint(
                fields=["patient", "kind"], condition=~Q(status="resolved"), name="one_open_flag_per_patient_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.level}, {self.status})"


class RedFlagReport(models.Model):
    """A red-flag check-in and the flag it went to: each check-in reaches the physician exactly once."""

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="reports")
    checkin = models.OneToOneField("patients.CheckIn", on_delete=models.CASCADE, related_name="red_flag_report")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"check-in {self.checkin_id} → flag {self.flag_id}"


class OutcomeReview(models.Model):
    """A program's end-of-week-12 VISA-A judged against its baseline (docs/clinical.md §6): once per program."""

    program = models.OneToOneField("exercises.Program", on_delete=models.CASCADE, related_name="outcome_review")
    baseline = models.PositiveSmallIntegerField(null=True)
    outcome = models.PositiveSmallIntegerField(null=True, help_text="Empty when decided without an outcome VISA-A")
    review_due = models.BooleanField(default=False)
    judged_at = models.DateTimeField(auto_now_add=True)
    # The clinician's decision (docs/clinical.md §11): a note for the patient, apart from the clinical one.
    patient_note = models.TextField(blank=True, help_text="Written for the patient; shown in the app")
    clinical_note = models.TextField(blank=True, help_text="For the care team only")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"outcome of program {self.program_id}: {self.baseline} → {self.outcome}"


class FollowUp(models.Model):
    """A follow-up VISA-A 6 or 12 months after a program's start (docs/clinical.md §11): the due time is
    stored and swept by beat (no far-future task); ``reminded_at`` and ``judged_at`` make each step once."""

    program = models.ForeignKey("exercises.Program", on_delete=models.CASCADE, related_name="follow_ups")
    months = models.PositiveSmallIntegerField()
    due_on = models.DateField(help_text="Patient-local day the questionnaire is asked from")
    due_at = models.DateTimeField(help_text="The instant of the reminder (local morning of due_on), UTC")
    reminded_at = models.DateTimeField(null=True, blank=True)
    judged_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The VISA-A that answered it")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["program", "months"], name="one_follow_up_per_program_month")]
        indexes = [models.Index(fields=["reminded_at", "due_at"]), models.Index(fields=["judged_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.months}-month follow-up of program {self.program_id}"


class ReminderTime(models.Model):
    """A patient's own local reminder time; a patient with none gets the protocol's defaults."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="reminder_times")
    local_time = models.TimeField()

    class Meta:
        ordering = ["local_time"]
        constraints = [models.UniqueConstraint(fields=["patient", "local_time"], name="one_reminder_time_per_patient")]
        indexes = [models.Index(fields=["local_time"])]

    def __str__(self) -> str:
        return self.local_time.strftime("%H:%M")


class ReminderStatus(models.TextChoices):
    QUEUED = "queued"
    SENT = "sent"
    SKIPPED = "skipped"


class Reminder(models.Model):
    """One reminder slot of one patient on one local date: the row that makes it exactly once."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="reminders")
    local_date = models.DateField()
    slot = models.TimeField(help_text="Nominal local time of the reminder")
    due_at = models.DateTimeField(help_text="The sweep instant that found it due")
    sweep = models.UUIDField(help_text="The sweep that created the row")
    status = models.CharField(max_length=8, choices=ReminderStatus.choices, default=ReminderStatus.QUEUED)
    skip_reason = models.CharField(max_length=64, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-due_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "local_date", "slot"], name="one_reminder_per_patient_slot_day")
        ]
        indexes = [models.Index(fields=["status", "due_at"]), models.Index(fields=["sweep"])]

    def __str__(self) -> str:
        return f"reminder {self.local_date} {self.slot:%H:%M} ({self.status})"


class NotificationKind(models.TextChoices):
    REMINDER = "reminder"
    FLAG = "flag"
    INFO = "info"


class Notification(models.Model):
    """A message to one user. In-app delivery is this row; other channels are Deliveries."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    title = models.CharField(max_length=120)
    body = models.TextField()
    # What a lock screen may show (Web Push payload): no health details.
    push_text = models.CharField(max_length=120)
    url = models.CharField(max_length=200, blank=True)
    # Makes creation idempotent: the same event never notifies the same user twice.
    dedupe_key = models.CharField(max_length=120, unique=True)
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications_about"
    )
    flag = models.ForeignKey(Flag, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # A notice that no longer holds (the red-flag advice once a clinician has decided): the row stays, as it
    # was sent, and points to the one that replaced it.
    replaced_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class Channel(models.TextChoices):
    WEBPUSH = "webpush"
    EMAIL = "email"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    GONE = "gone"  # the push subscription no longer exists


class Delivery(models.Model):
    """One notification over one channel to one target (a push subscription or an address)."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    target = models.CharField(max_length=254, help_text="Push subscription id or e-mail address")
    status = models.CharField(max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel", "target"], name="one_delivery_per_target")
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"


class PushSubscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=500)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            # A subscription belongs to its user: the same endpoint posted by another user is a row of theirs.
            models.UniqueConstraint(fields=["user", "endpoint"], name="one_subscription_per_user_endpoint"),
        ]

    def __str__(self) -> str:
        return f"push subscription {self.id}"


class EvaluationRun(models.Model):
    """One hourly evaluation of everyone, split into chunks that any worker on any host takes.

    The figures are summed from the chunks as they finish (``notifications.evaluation_runs``); the run is
    finished when every chunk is.
    """

    started_at = models.DateTimeField()
    chunk_size = models.PositiveIntegerField()
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    patients_total = models.PositiveIntegerField(default=0)
    patients_evaluated = models.PositiveIntegerField(default=0)
    flags_raised = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"evaluation {self.id}: {self.chunks_done}/{self.chunks_total} chunks"


class ChunkStatus(models.TextChoices):
    PENDING = "pending", "pending"
    RUNNING = "running", "running"
    DONE = "done", "done"


class EvaluationChunk(models.Model):
    """A slice of a run's patients (ids only). Claimed with a conditional UPDATE, so a chunk runs once,
    and again only when its worker is gone (the same Celery message redelivered, or a claim gone stale)."""

    run = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    patient_ids = models.JSONField()
    status = models.CharField(max_length=8, choices=ChunkStatus.choices, default=ChunkStatus.PENDING)
    task_id = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    evaluated = models.PositiveIntegerField(default=0)
    flags_raised = models.PositiveIntegerField(default=0)
    failed_patient_ids = models.JSONField(default=list, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="one_chunk_per_run_index")]
        indexes = [models.Index(fields=["status", "claimed_at"])]

    def __str__(self) -> str:
        return f"chunk {self.index} of evaluation {self.run_id}: {self.status}"
