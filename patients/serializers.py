import datetime as dt

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext
from rest_framework import serializers

from core.api import UUIDStringField
from core.localtime import is_valid_timezone, local_today

from .clinics import OVERRIDABLE, clinic_setting, public_url, setting_errors
from .models import CheckIn, Clinic, Patient, RedFlag, Role, Side, Tendinopathy, User, VisaA
from .morning import morning_advice
from .phone import normalize_phone
from .red_flags import advice_for
from .visa_a import branch_of, item_errors


def validate_timezone_name(value: str) -> str:
    if not is_valid_timezone(value):
        raise serializers.ValidationError(f"Unknown time zone '{value}'; use an IANA name like Europe/Copenhagen.")
    return value


CHECKIN_BACK_DAYS = 90  # an offline phone syncs late, but a morning check-in is about recent mornings
VISA_A_BACK_DAYS = 365  # a questionnaire on paper may be entered later (a baseline up to 97 days back)


def resolve_local_date(
    patient: Patient, value: dt.date | None, *, back_days: int, answered_at: dt.datetime | None = None
) -> dt.date:
    """A patient-local date, never in the patient's future nor older than ``back_days``: ``value``, else the
    patient's day at ``answered_at`` (an offline phone's instant; a clock running ahead gives today, not a
    refusal), else today."""
    today = local_today(patient.timezone)
    if value is None and answered_at is not None:
        value = min(local_today(patient.timezone, answered_at), today)
    if value is None:
        return today
    if value > today:
        message = gettext("{day} is in the future for this patient (today is {today}).").format(day=value, today=today)
        raise serializers.ValidationError({"date": [message]})
    if value < today - dt.timedelta(days=back_days):
        message = gettext("Give a date within the last {days} days.").format(days=back_days)
        raise serializers.ValidationError({"date": [message]})
    return value


def validate_birth_date(value: dt.date) -> dt.date:
    if value > dt.date.today() or value < dt.date(1900, 1, 1):
        raise serializers.ValidationError("Give a date of birth between 1900-01-01 and today.")
    return value


def validate_phone(value: str) -> str:
    if not value:
        return ""
    phone = normalize_phone(value)
    if phone is None:
        raise serializers.ValidationError("A mobile number: 6 to 15 digits, optionally after +, e.g. +45 12 34 56 78.")
    return phone


class PatientIdentityFields(serializers.Serializer):
    """Who the patient is (all optional for older records; enrolment without a username asks for them)."""

    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True, validators=[validate_birth_date])
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(
        max_length=32, required=False, allow_blank=True,
        help_text="Mobile number; stored as + and digits (+4512345678)",
    )  # fmt: skip
    record_number = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="The clinic's own record number (optional)"
    )

    def validate_phone(self, value: str) -> str:
        return validate_phone(value)


class PatientCreateSerializer(PatientIdentityFields):
    """Enrolment. The usual way: the patient's name and e-mail address or mobile number, then an invitation
    (``POST /api/v1/invitations/``) by which the patient chooses their own password; the username is
    generated. An explicit ``username`` and ``password`` still work (scripts and older clients)."""

    username = serializers.RegexField(
        r"^[\w.@+-]{1,150}$", max_length=150, required=False,
        help_text="Optional: generated when absent (patients sign in with their e-mail address or mobile number)",
    )  # fmt: skip
    password = serializers.CharField(
        write_only=True, max_length=128, required=False, style={"input_type": "password"},
        help_text="Optional and discouraged: without it the patient sets their own through an invitation",
    )  # fmt: skip
    timezone = serializers.CharField(max_length=64, validators=[validate_timezone_name])
    side = serializers.ChoiceField(choices=Side.choices)
    tendinopathy = serializers.ChoiceField(choices=Tendinopathy.choices)
    physician = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(role=Role.PHYSICIAN))
    physio = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(role=Role.PHYSIO),
        required=False,
        help_text="Required when an admin creates the patient; a physio creating one is the assigned physio.",
    )
    clinic = serializers.PrimaryKeyRelatedField(
        queryset=Clinic.objects.all(),
        required=False,
        error_messages={"does_not_exist": "Unknown clinic.", "incorrect_type": "Unknown clinic."},
        help_text="The patient's clinic (one of GET /api/v1/clinics/); needed when the creator belongs to several",
    )

    def validate_username(self, value: str) -> str:
        if User.objects.filter(username__iexact=value).exists():
            raise serializers.ValidationError("This username is taken.")
        return value

    def validate(self, attrs):
        if "username" not in attrs:  # the invitation flow: a person the clinic can name and reach
            errors = {name: ["Give the patient's name."] for name in ("first_name", "last_name") if not attrs.get(name)}
            if not attrs.get("email") and not attrs.get("phone"):
                errors["email"] = ["Give an e-mail address or a mobile number, for the invitation."]
            if errors:
                raise serializers.ValidationError(errors)
        if "password" in attrs:
            probe = User(username=attrs.get("username", ""), email=attrs.get("email", ""),
                         first_name=attrs.get("first_name", ""), last_name=attrs.get("last_name", ""))  # fmt: skip
            try:
                validate_password(attrs["password"], probe)
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


ANSWERED_AT_HELP = (
    "Optional, from an offline client: when the patient answered (an instant with its offset). Without a date, "
    "the entry is dated the patient's day at that instant (today if the instant is ahead of the server's clock), "
    "so one answered before the patient's midnight and sent after it keeps its day"
)
CLIENT_ID_HELP = (
    "Optional, from an offline client: the same client_id and body again answer 200 with the stored record, "
    "the same client_id with another body 409"
)


class AdviceListSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    phone = serializers.CharField(allow_null=True, help_text="The clinic's number for a call button (tel:)")


class CheckInSerializer(serializers.ModelSerializer):
    date = serializers.DateField(required=False)
    morning_pain = serializers.IntegerField(min_value=0, max_value=10)
    morning_stiffness_minutes = serializers.IntegerField(min_value=0, max_value=1440)
    red_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=RedFlag.choices), required=False, default=list, max_length=5
    )

    answered_at = serializers.DateTimeField(required=False, write_only=True, help_text=ANSWERED_AT_HELP)
    client_id = UUIDStringField(required=False, allow_null=True, help_text=CLIENT_ID_HELP)
    advice = serializers.SerializerMethodField(
        help_text="With red-flag answers: stop and what to do. Otherwise, with morning pain or stiffness worse than "
        "the previous days: lower today's load (kind morning_worse)"
    )

    class Meta:
        model = CheckIn
        fields = [
            "id", "patient", "date", "answered_at", "morning_pain", "morning_stiffness_minutes", "red_flags", "advice",
            "client_id", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "patient", "created_at"]

    def get_advice(self, checkin) -> AdviceListSerializer(many=True):  # type: ignore[valid-type]
        return [vars(a) for a in advice_for(checkin.red_flags, checkin.patient.clinic) or morning_advice(checkin)]


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
    answered_at = serializers.DateTimeField(required=False, write_only=True, help_text=ANSWERED_AT_HELP)
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
        fields = [
            "id", "patient", "date", "answered_at", "answers", "item8_branch", "score", "entered_by", "client_id",
            "created_at",
        ]  # fmt: skip
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


class ClinicSerializer(serializers.ModelSerializer):
    """A clinic: what the app and e-mails show of it, and (for its admins to change) its settings overrides."""

    public_url = serializers.SerializerMethodField(help_text="Where the app's links point (the install's if unset)")
    effective_settings = serializers.SerializerMethodField(
        help_text="Every per-clinic setting's value for this clinic: its override, else the install's"
    )

    class Meta:
        model = Clinic
        fields = [
            "id", "name", "slug", "logo_url", "colour", "public_url", "opening_hours", "contact_phone",
            "red_flag_contact", "settings", "effective_settings",
        ]  # fmt: skip
        read_only_fields = fields

    def get_public_url(self, clinic) -> str:
        return public_url(clinic)

    def get_effective_settings(self, clinic) -> dict:
        return {name: clinic_setting(clinic, name) for name in OVERRIDABLE}


class ClinicUpdateSerializer(serializers.ModelSerializer):
    """What a clinic's admin may change. ``settings``: ``{NAME: value}`` merged into the overrides (``null``
    removes one, so the install's value applies again)."""

    settings = serializers.DictField(child=serializers.JSONField(allow_null=True), required=False)
    public_url = serializers.URLField(
        required=False, allow_blank=True, max_length=200, validators=[URLValidator(schemes=["http", "https"])]
    )  # the model's rule too: DRF leaves a model URLField's own URLValidator out of the field it builds

    class Meta:
        model = Clinic
        fields = ["name", "logo_url", "colour", "public_url", "opening_hours", "contact_phone", "red_flag_contact",
                  "settings"]  # fmt: skip
        extra_kwargs = {"name": {"required": False}, "opening_hours": {"max_length": 500},
                        "red_flag_contact": {"max_length": 500}}  # fmt: skip

    def validate_settings(self, value):
        errors = setting_errors({k: v for k, v in value.items() if v is not None})
        errors |= {k: "Not a per-clinic setting." for k, v in value.items() if v is None and k not in OVERRIDABLE}
        if errors:
            raise serializers.ValidationError(errors)
        return value


STAFF_ROLES_A_CLINIC_ADMIN_MANAGES = [Role.PHYSIO, Role.PHYSICIAN, Role.CLINIC_ADMIN]


class ClinicStaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "role", "is_active", "email"]
        read_only_fields = ["id", "username", "role"]


class ClinicStaffCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{1,150}$", max_length=150)
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    role = serializers.ChoiceField(choices=STAFF_ROLES_A_CLINIC_ADMIN_MANAGES)
    email = serializers.EmailField(required=False, allow_blank=True)

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
