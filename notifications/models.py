"""Flags (concerns about a patient) — the escalation ladder writes these."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class FlagKind(models.TextChoices):
    NON_ADHERENCE = "non_adherence"
    PAIN = "pain"
    RED_FLAG = "red_flag"
    TREATMENT_REVIEW = "treatment_review"
    MISSING_OUTCOME = "missing_outcome"


class FlagLevel(models.TextChoices):
    PHYSIO = "physio"
    PHYSICIAN = "physician"


class FlagStatus(models.TextChoices):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


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
