import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext
from rest_framework import serializers

from core.api import UUIDStringField
from core.localtime import is_valid_timezone, local_today

from .models import CheckIn, Patient, RedFlag, Role, Side, Tendinopathy, User, VisaA
from .morning import morning_advice
from .red_flags import advice_for
from .visa_a import branch_of, item_errors


def validate_timezone_name(value: str) -> str:
    if not is_valid_timezone(value):
        raise serializers.ValidationError(f"Unknown time zone '{value}'; use an IANA name like Europe/Copenhagen.")
    return value


CHECKIN_BACK_DAYS = 90  # an offline phone syncs late, but a morning check-in is about recent mornings
VISA_A_BACK_DAYS = 365  # a questionnaire on paper may be entered later (a baseline up to 97 days back)


def resolve_local_date(patient: Patient, value: dt.date | None, *, back_days: int) -> dt.date:
    """A patient-local date: today when absent, never in the patient's future nor older than ``back_days``."""
    today = local_today(patient.timezone)
    if value is None:
        return today
    if value > today:
        message = gettext("{day} is in the future for this patient (today is {today}).").format(day=value, today=today)
        raise serializers.ValidationError({"date": [message]})
    if value < today - dt.timedelta(days=back_days):
        message = gettext("Give a date within the last {days} days.").format(days=back_days)
        raise serializers.ValidationError({"date": [message]})
    return value


class PatientCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{1,150}$", max_length=150)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    timezone = serializers.CharField(max_length=64, validators=[validate_timezone_name])
    side = serializers.ChoiceField(choices=Side.choices)
    tendinopathy = serializers.ChoiceField(choices=Tendinopathy.choices)
    physician = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(role=Role.PHYSICIAN))
    physio = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=Role.PHYSIO),
        required=False,
        help_text="Required when an admin creates the patient; a physio creating one is the assigned physio.",
    )

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("This username is taken.")
        return value

    def validate(self, attrs):
        try:
            validate_password(attrs["password"], User(username=attrs["username"]))
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


CLIENT_ID_HELP = (
    "Optional, from an offline client: the same client_id and body again answer 200 with the stored record, "
    "the same client_id with another body 409"
)


class AdviceListSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()


class CheckInSerializer(serializers.ModelSerializer):
    date = serializers.DateField(required=False)
    morning_pain = serializers.IntegerField(min_value=0, max_value=10)
    morning_stiffness_minutes = serializers.IntegerField(min_value=0, max_value=1440)
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=RedFlag.choices), required=False, default=list, max_length=5
    )

    client_id = UUIDStringField(required=False, allow_null=True, help_text=CLIENT_ID_HELP)
    advice = serializers.SerializerMethodField(
        help_text="With red-flag answers: stop and what to do. Otherwise, with morning pain or stiffness worse than "
        "the previous days: lower today's load (kind morning_worse)"
    )

    class Meta:
        model = CheckIn
        fields = [
            "id", "patient", "date", "morning_pain", "morning_stiffness_minutes", "red_flags", "advice", "client_id",
            "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "patient", "created_at"]

    def get_advice(self, checkin) -> AdviceListSerializer(many=True):  # type: ignore[valid-type]
        return [vars(a) for a in advice_for(checkin.red_flags) or morning_advice(checkin)]


class StrictIntegerField(serializers.IntegerField):
    """A JSON integer: no booleans, strings or fractions."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class VisaASerializer(serializers.ModelSerializer):
    patient = serializers.PrimaryKeyRelatedField(queryset=Patient.objects.none(), required=False)
    date = serializers.DateField(required=False)
    answers = serializers.ListField(child=StrictIntegerField(), min_length=8, max_length=8)
    client_id = UUIDStringField(required=False, allow_null=True, help_text=CLIENT_ID_HELP)
    item8_branch = serializers.ChoiceField(
        choices=["A", "B", "C"],
        required=False,
        allow_null=True,
        help_text="A: no pain during Achilles-loading sport; B: pain that does not stop training; "
        "C: pain that stops training",
    )

    class Meta:
        model = VisaA
        fields = ["id", "patient", "date", "answers", "item8_branch", "score", "entered_by", "client_id", "created_at"]
        read_only_fields = ["id", "score", "entered_by", "created_at"]

    def __init__(self, *args, patients=None, **kwargs):
        super().__init__(*args, **kwargs)
        if patients is not None:
            self.fields["patient"].queryset = patients

    def validate(self, attrs):
        errors = item_errors(attrs["answers"], attrs.get("item8_branch"))
        if errors:
            raise serializers.ValidationError({"answers": errors})
        attrs["item8_branch"] = branch_of(attrs["answers"][7], attrs.get("item8_branch"))
        return attrs

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["answers"] = [int(a) for a in instance.answers]
        data["item8_branch"] = instance.item8_branch or None
        return data


class SideChangeSerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices)
    effective_from = serializers.DateField(
        required=False, help_text="The first day of the new side, patient-local; default today (at most 28 days back)"
    )


class SideEntrySerializer(serializers.Serializer):
    side = serializers.ChoiceField(choices=Side.choices)
    until = serializers.DateField(help_text="The last day this side was in force")
