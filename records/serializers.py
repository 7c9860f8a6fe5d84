"""The caseload row: a patient with the figures a clinician reads at a glance."""

from rest_framework import serializers

from patients.models import Patient
from patients.selectors import patient_display_name
from patients.serializers import SideEntrySerializer


class ProgramSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    protocol = serializers.CharField()
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    status = serializers.CharField()


class PatientSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True, help_text="Internal; show display_name")
    display_name = serializers.SerializerMethodField(help_text="The patient's name; the username for older records")
    first_name = serializers.CharField(source="user.first_name", read_only=True)
    last_name = serializers.CharField(source="user.last_name", read_only=True)
    email = serializers.CharField(source="user.email", read_only=True)
    adherence_7d = serializers.FloatField(read_only=True, allow_null=True, default=None)
    adherence_28d = serializers.FloatField(read_only=True, allow_null=True, default=None)
    open_flags = serializers.IntegerField(read_only=True, default=0)
    red_flag_open = serializers.BooleanField(read_only=True, default=False)
    physician_flag_open = serializers.BooleanField(read_only=True, default=False)
    week = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    last_log_date = serializers.DateField(read_only=True, allow_null=True, default=None)
    pain_trend = serializers.FloatField(
        read_only=True, allow_null=True, default=None, help_text="This week's mean exercise pain minus last week's"
    )
    latest_visa_a = serializers.IntegerField(read_only=True, allow_null=True, default=None)
    monitored_days_30d = serializers.IntegerField(
        read_only=True, default=0, help_text="Distinct days of the last 30 with a logged set or a check-in"
    )
    progression_due = serializers.BooleanField(
        read_only=True, default=False, help_text="Alfredson: the last 3 sessions hurt 0–2/10, load may be added"
    )
    active_program = serializers.SerializerMethodField()
    side_history = SideEntrySerializer(many=True, read_only=True, help_text="The sides before the current one")

    class Meta:
        model = Patient
        fields = [
            "id",
            "username",
            "display_name",
            "first_name",
            "last_name",
            "birth_date",
            "email",
            "phone",
            "record_number",
            "timezone",
            "side",
            "side_history",
            "tendinopathy",
            "clinic",
            "physio",
            "physician",
            "reminders_enabled",
            "adherence_7d",
            "adherence_28d",
            "open_flags",
            "red_flag_open",
            "physician_flag_open",
            "week",
            "last_log_date",
            "pain_trend",
            "latest_visa_a",
            "monitored_days_30d",
            "progression_due",
            "active_program",
        ]
        read_only_fields = fields

    def get_display_name(self, patient) -> str:
        return patient_display_name(patient=patient)

    def get_active_program(self, patient) -> ProgramSummarySerializer(allow_null=True):  # type: ignore[valid-type]
        program = getattr(patient, "current_program", None)
        if program is None:
            return None
        # A plain dict: a nested serializer would deep-copy its fields once for every row of the page.
        return {"id": program.id, "protocol": program.protocol, "start_date": program.start_date.isoformat(),
                "end_date": program.end_date.isoformat(), "status": program.status}  # fmt: skip
