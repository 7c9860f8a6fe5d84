"""Shapes of messages, receipts, time entries and the RTM report for the API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api import StringField, UUIDStringField
from core.query_params import IdField, StrictQuery

from .models import MAX_BODY, Activity, Message, TimeEntry
from .red_flag_words import red_flag_signs

MAX_ID = 2**63 - 1  # a bigint: a larger id is a 400, not a database error


class ReadReceiptSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    role = serializers.CharField(source="user.role")
    read_at = serializers.DateTimeField()


class MessageSerializer(serializers.ModelSerializer):
    read_by = ReadReceiptSerializer(source="reads", many=True, read_only=True)
    red_flag_signs = serializers.SerializerMethodField(
        help_text="Red-flag answers a patient's message seems to name: the app offers the check-in at once"
    )

    class Meta:
        model = Message
        fields = ["id", "patient", "author", "role", "kind", "body", "client_id", "created_at", "read_by",
                  "red_flag_signs"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_red_flag_signs(self, message: Message) -> list[str]:
        return red_flag_signs(message.body) if message.role == "patient" else []


class MessageSentSerializer(MessageSerializer):
    notice = MessageSerializer(allow_null=True, read_only=True, help_text="The automatic out-of-hours notice")

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "notice"]
        read_only_fields = fields


class MessageCreateSerializer(serializers.Serializer):
    patient = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Staff: whose conversation"
    )
    body = StringField(max_length=MAX_BODY, help_text=f"1–{MAX_BODY} characters")
    client_id = UUIDStringField(required=False, help_text="Makes a resend answer 200 with the stored message")


class MessageListQuery(StrictQuery):
    patient = IdField(min_value=1, required=False)
    reason = serializers.CharField(max_length=200, required=False, help_text="Admins: why they read it (audited)")


class InboxRowSerializer(serializers.Serializer):
    patient = serializers.IntegerField(source="id")
    name = serializers.SerializerMethodField()
    unread = serializers.IntegerField()
    last_message_at = serializers.DateTimeField()

    def get_name(self, patient) -> str:
        user = patient.user
        return " ".join(n for n in (user.first_name, user.last_name) if n) or user.username


class ClinicMessagingSerializer(serializers.Serializer):
    open_now = serializers.BooleanField()
    timezone = serializers.CharField()
    open_weekdays = serializers.ListField(child=serializers.IntegerField(), help_text="0 = Monday")
    opens_at = serializers.CharField(help_text="HH:MM, clinic-local")
    closes_at = serializers.CharField(help_text="HH:MM, clinic-local")
    reply_within_hours = serializers.IntegerField()
    quick_replies = serializers.ListField(child=serializers.CharField())
    rtm_enabled = serializers.BooleanField()


class TimeEntrySerializer(serializers.ModelSerializer):
    patient = serializers.IntegerField(min_value=1, max_value=MAX_ID, source="patient_id")
    activity = serializers.ChoiceField(Activity.choices)
    minutes = serializers.IntegerField(min_value=1, max_value=480)
    started_at = serializers.DateTimeField(
        required=False, help_text="From 2000 on, not in the future; default: now minus the minutes"
    )
    note = StringField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        model = TimeEntry
        fields = ["id", "patient", "clinician", "activity", "minutes", "started_at", "date", "note", "created_at"]
        read_only_fields = ["id", "clinician", "date", "created_at"]


class RtmQuery(StrictQuery):
    month = serializers.RegexField(r"^20[0-9]{2}-(0[1-9]|1[0-2])$", required=False, help_text="YYYY-MM")
    format = serializers.ChoiceField(["json", "csv"], required=False)


class RtmPeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    data_days = serializers.IntegerField()
    device_code = serializers.CharField(allow_null=True)
    billed_in_month = serializers.BooleanField(help_text="The period ends in this month, where it is billed")
    complete = serializers.BooleanField()
    reached_16_on = serializers.DateField(allow_null=True, help_text="The 16th data day (98977), if reached")
    on_track = serializers.BooleanField(help_text="16 data days reached or still reachable")


class RtmCodeSerializer(serializers.Serializer):
    code = serializers.CharField()
    units = serializers.IntegerField()


class RtmPatientSerializer(serializers.Serializer):
    patient = serializers.IntegerField()
    name = serializers.CharField()
    periods = RtmPeriodSerializer(many=True)
    setup_code = serializers.CharField(allow_null=True)
    management_minutes = serializers.IntegerField()
    interactive_communication = serializers.BooleanField()
    management_codes = RtmCodeSerializer(many=True)
    data_day_rule = serializers.ChoiceField(
        ["activity", "access"], help_text="How this patient's clinic counts data days"
    )


class RtmRuleSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(["device", "setup", "management"])
    description = serializers.CharField()
    min_days = serializers.IntegerField(allow_null=True)
    max_days = serializers.IntegerField(allow_null=True)
    min_minutes = serializers.IntegerField(allow_null=True)
    per_minutes = serializers.IntegerField(allow_null=True)
    needs_interaction = serializers.BooleanField()
    source = serializers.CharField()


class RtmReportSerializer(serializers.Serializer):
    month = serializers.CharField()
    enabled = serializers.BooleanField(help_text="False: the clinic turned RTM off (no patients listed)")
    data_day_rule = serializers.ChoiceField(
        ["activity", "access"], help_text="The rule of the first listed patient's clinic; each row carries its own"
    )
    rules = RtmRuleSerializer(many=True)
    patients = RtmPatientSerializer(many=True)
