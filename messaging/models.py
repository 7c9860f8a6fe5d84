"""Messaging's rows: one conversation per patient (its messages and who read them), and the clinicians' time log
(remote therapeutic monitoring)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual

MAX_BODY = 2000  # characters: a message, not a letter (a longer one is a 400)


class MessageKind(models.TextChoices):
    TEXT = "text"
    OUT_OF_HOURS = "out_of_hours"  # the clinic's automatic notice (docs/clinical.md §13)


class AuthorRole(models.TextChoices):
    PATIENT = "patient"
    PHYSIO = "physio"
    PHYSICIAN = "physician"
    ADMIN = "admin"
    CLINIC = "clinic"  # the automatic notice: no person wrote it


class Message(models.Model):
    """One message in a patient's conversation with their care team. ``client_id`` makes a resend a no-op."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    role = models.CharField(max_length=12, choices=AuthorRole.choices, help_text="The author's role when writing")
    kind = models.CharField(max_length=16, choices=MessageKind.choices, default=MessageKind.TEXT)
    body = models.TextField()
    client_id = models.UUIDField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["patient", "-created_at"], name="message_thread")]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThanOrEqual(Length("body"), 1) & LessThanOrEqual(Length("body"), MAX_BODY),
                name="message_body_1_to_max",
            ),
        ]

    def __str__(self) -> str:
        return f"message {self.id} ({self.role})"


class MessageRead(models.Model):
    """A read receipt: ``user`` read ``message`` at ``read_at`` (once per reader)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["read_at", "id"]
        constraints = [models.UniqueConstraint(fields=["message", "user"], name="one_read_per_message_user")]

    def __str__(self) -> str:
        return f"message {self.message_id} read by {self.user_id}"


class Activity(models.TextChoices):
    REVIEW = "review"  # reviewing the patient's data
    MESSAGING = "messaging"
    CALL = "call"  # a real-time call: an interactive communication (docs/rtm.md)
    SETUP = "setup"  # setting the patient up and teaching the app (CPT 98975)


class TimeEntry(models.Model):
    """Minutes a clinician spent on one patient's remote monitoring, on the patient-local ``date``."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="time_entries")
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    activity = models.CharField(max_length=12, choices=Activity.choices)
    minutes = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    date = models.DateField(help_text="Patient-local date the work started")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name_plural = "time entries"
        indexes = [models.Index(fields=["patient", "date"], name="time_entry_patient_date")]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=1, minutes__lte=480), name="time_entry_minutes_1_480")
        ]

    def __str__(self) -> str:
        return f"{self.minutes} min {self.activity}"
