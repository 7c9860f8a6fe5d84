import base64
import binascii

from rest_framework import serializers

from patients.serializers import validate_timezone_name

from .channels import endpoint_allowed
from .models import Flag, Notification, PushSubscription, RedFlagOutcome


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "created_at", "read_at", "replaced_by"]
        read_only_fields = fields
        extra_kwargs = {"replaced_by": {"help_text": "A notice that no longer holds: the notification replacing it"}}


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice stored as "" when unset (a CharField with blank=True) goes out as null: "" is no choice."""

    def to_representation(self, value):
        return super().to_representation(value) if value else None


class FlagSerializer(serializers.ModelSerializer):
    outcome = BlankAsNullChoiceField(
        choices=RedFlagOutcome.choices,
        allow_null=True,
        read_only=True,
        help_text="A resolved red flag: what the program did (resume, keep_paused, stop); null otherwise",
    )

    class Meta:
        model = Flag
        fields = [
            "id",
            "patient",
            "kind",
            "level",
            "reason",
            "status",
            "created_at",
            "acknowledged_by",
            "acknowledged_at",
            "resolved_by",
            "resolved_at",
            "note",
            "outcome",
            "patient_note",
        ]
        extra_kwargs = {"patient_note": {"help_text": "A resolved red flag: the decision as the patient reads it"}}
        read_only_fields = fields


class FlagActionSerializer(serializers.Serializer):
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Required (non-empty) to resolve"
    )
    outcome = serializers.ChoiceField(
        choices=RedFlagOutcome.choices,
        required=False,
        help_text="Resolving a red flag: what the program does now (resume, keep_paused, stop)",
    )
    patient_note = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Resolving a red flag: a note for the patient, shown with the decision (the note stays clinical)",
    )


def _b64url(value: str, size: int, name: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError) as exc:
        raise serializers.ValidationError(f"{name} must be base64url.") from exc
    if len(raw) != size or (name == "p256dh" and raw[0] != 4):
        raise serializers.ValidationError(f"{name} has the wrong length for a Web Push key.")
    return value


class PushKeysSerializer(serializers.Serializer):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=64)

    def validate_p256dh(self, value):
        return _b64url(value, 65, "p256dh")

    def validate_auth(self, value):
        return _b64url(value, 16, "auth")


class PushSubscriptionSerializer(serializers.ModelSerializer):
    endpoint = serializers.URLField(max_length=500)
    keys = PushKeysSerializer(write_only=True)

    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "keys", "created_at"]
        read_only_fields = ["id", "created_at"]

    def validate_endpoint(self, value):
        if not endpoint_allowed(value):
            raise serializers.ValidationError("This is not the address of a known Web Push service.")
        return value


class ReminderSettingsSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(required=False)
    timezone = serializers.CharField(max_length=64, validators=[validate_timezone_name], required=False)
    times = serializers.ListField(
        child=serializers.RegexField(r"^([01]\d|2[0-3]):[0-5]\d$", error_messages={"invalid": "Use HH:MM, 24-hour."}),
        max_length=4,
        required=False,
    )
