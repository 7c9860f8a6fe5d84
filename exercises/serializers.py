import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext
from rest_framework import serializers

from core.api import UUIDStringField
from core.localtime import local_today
from core.query_params import BoundedDateField, StrictQuery

from . import mediafiles
from .models import CURRENT_STATUSES, Demonstration, Program, ProgramChange, SetLog
from .protocols import DEFAULT_PROTOCOL, FITS, PROGRAM_DAYS, PROTOCOLS, Exercise, ProtocolSlug, Session
from .selectors import maintenance_program_on, program_on

MAX_LOAD_KG = 500
BACK_ENTRY_DAYS = PROGRAM_DAYS - 1  # a program may start in the past, but not already be over
MAX_START_AHEAD_DAYS = 365


class LoadsField(serializers.DictField):
    child = serializers.FloatField(min_value=0, max_value=MAX_LOAD_KG)

    def to_internal_value(self, data):
        loads = super().to_internal_value(data)
        unknown = sorted(set(loads) - set(Exercise.values))
        if unknown:
            raise serializers.ValidationError(f"Unknown exercise(s): {', '.join(unknown)}.")
        return {ex: round(kg, 2) for ex, kg in loads.items()}


class WeekdaysField(serializers.ListField):
    child = serializers.IntegerField(min_value=0, max_value=6)

    def to_internal_value(self, data):
        days = super().to_internal_value(data)
        if len(set(days)) != 3 or len(days) != 3:
            raise serializers.ValidationError("Give three different weekdays (Monday=0 … Sunday=6).")
        return sorted(days)


# How the staff's screens name them (web/src/i18n.js), for the server's messages to staff.
PROTOCOL_NAMES = {
    "alfredson": "Alfredson (mid-portion)",
    "alfredson_insertional": "Alfredson, insertional (flat floor)",
    "hsr": "Heavy slow resistance",
}
TENDINOPATHY_NAMES = {"midportion": "mid-portion", "insertional": "insertional"}


def _check_fits(protocol: str, tendinopathy: str, override_reason: str) -> None:
    """docs/clinical.md §3: a protocol designed for the other tendinopathy type needs a clinician's written reason."""
    if protocol not in FITS[tendinopathy] and not override_reason.strip():
        designed = " or ".join(TENDINOPATHY_NAMES[kind] for kind, fits in FITS.items() if protocol in fits)
        name = PROTOCOL_NAMES[protocol]
        raise serializers.ValidationError(
            {
                "override_reason": [
                    f"{name} is for {designed} tendinopathy and this patient's is {TENDINOPATHY_NAMES[tendinopathy]}: "
                    f"use {PROTOCOL_NAMES[DEFAULT_PROTOCOL[tendinopathy]]}, or give the clinical reason for {name}."
                ]
            }
        )


def _check_loads_and_weekdays(protocol: str, attrs: dict) -> None:
    loads = attrs.get("loads") or {}
    foreign = sorted(set(loads) - set(PROTOCOLS[protocol].exercises))
    if foreign:
        raise serializers.ValidationError({"loads": [f"Not in the {protocol} protocol: {', '.join(foreign)}."]})
    if attrs.get("training_weekdays") and protocol != ProtocolSlug.HSR:
        raise serializers.ValidationError({"training_weekdays": ["Only heavy slow resistance has training weekdays."]})


class ProgramChangeSerializer(serializers.ModelSerializer):
    # Any JSON value, null included (a nullable JSONField's schema would be oneOf [any, null]: null matches both).
    old_value = serializers.JSONField(read_only=True)
    new_value = serializers.JSONField(read_only=True)

    class Meta:
        model = ProgramChange
        fields = ["field", "old_value", "new_value", "changed_by", "changed_at"]
        read_only_fields = fields


class ProgramSerializer(serializers.ModelSerializer):
    patient = serializers.PrimaryKeyRelatedField(queryset=Program.objects.none())
    protocol = serializers.ChoiceField(
        choices=ProtocolSlug.choices,
        required=False,
        help_text="Default: alfredson for mid-portion, alfredson_insertional for insertional tendinopathy",
    )
    override_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Required when the protocol does not fit the patient's tendinopathy type (alfredson or hsr for "
        "insertional)",
    )
    training_weekdays = WeekdaysField(required=False)
    loads = LoadsField(required=False)
    changes = ProgramChangeSerializer(many=True, read_only=True)

    class Meta:
        model = Program
        fields = [
            "id",
            "patient",
            "protocol",
            "start_date",
            "end_date",
            "status",
            "training_weekdays",
            "loads",
            "override_reason",
            "stopped_on",
            "created_at",
            "changes",
        ]
        read_only_fields = ["id", "end_date", "status", "stopped_on", "created_at", "changes"]
        validators = []  # one current program per patient: checked in validate() with a clear message

    def __init__(self, *args, patients=None, **kwargs):
        super().__init__(*args, **kwargs)
        if patients is not None:
            self.fields["patient"].queryset = patients

    def validate(self, attrs):
        patient = attrs["patient"]
        today = local_today(patient.timezone)
        start = attrs["start_date"]
        if start < today - dt.timedelta(days=BACK_ENTRY_DAYS):
            raise serializers.ValidationError({"start_date": ["A program starting then would already be over."]})
        if start > today + dt.timedelta(days=MAX_START_AHEAD_DAYS):
            raise serializers.ValidationError({"start_date": ["Start within a year from today."]})
        if patient.programs.filter(status__in=CURRENT_STATUSES).exists():
            raise serializers.ValidationError({"patient": ["This patient already has an active program."]})
        attrs.setdefault("protocol", DEFAULT_PROTOCOL[patient.tendinopathy])
        _check_fits(attrs["protocol"], patient.tendinopathy, attrs.get("override_reason", ""))
        _check_loads_and_weekdays(attrs["protocol"], attrs)
        return attrs


class ProgramUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["active", "paused", "stopped"], required=False)
    protocol = serializers.ChoiceField(
        choices=[ProtocolSlug.ALFREDSON, ProtocolSlug.ALFREDSON_INSERTIONAL],
        required=False,
        help_text="Switch between the mid-portion and insertional Alfredson variants",
    )
    override_reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, help_text="Why, when the variant does not fit"
    )
    training_weekdays = WeekdaysField(required=False)
    loads = LoadsField(required=False)

    def validate(self, attrs):
        program = self.context["program"]
        if "protocol" in attrs and program.protocol == ProtocolSlug.HSR:
            raise serializers.ValidationError({"protocol": ["Heavy slow resistance has no variant to switch to."]})
        if "protocol" in attrs:
            _check_fits(attrs["protocol"], program.patient.tendinopathy, attrs.get("override_reason", ""))
        _check_loads_and_weekdays(attrs.get("protocol", program.protocol), attrs)
        return attrs


class TempoSerializer(serializers.Serializer):
    lower = serializers.IntegerField(help_text="Seconds to lower the heel (the eccentric phase)")
    rise = serializers.IntegerField(
        allow_null=True, help_text="Seconds to rise; null when the rise is not timed (Alfredson: the other leg)"
    )


class RestSerializer(serializers.Serializer):
    between_sets = serializers.IntegerField(help_text="Seconds of rest between two sets of this exercise")
    after_exercise = serializers.IntegerField(help_text="Seconds of rest after its last set, before the next exercise")


class MovementSerializer(serializers.Serializer):
    heel_below_forefoot = serializers.BooleanField(
        help_text="Off a step, the heel lowered below the forefoot; false: from a flat floor, only to neutral"
    )
    lowering_leg = serializers.ChoiceField(
        choices=["left", "right"], allow_null=True, help_text="The one leg that lowers; null: both (or each in turn)"
    )
    rise_on = serializers.ChoiceField(choices=["other_leg", "both_legs"])


class PrescriptionItemSerializer(serializers.Serializer):
    exercise = serializers.ChoiceField(choices=Exercise.choices)
    sets = serializers.IntegerField()
    reps = serializers.IntegerField()
    session = serializers.ChoiceField(choices=Session.choices, allow_null=True)
    tempo = serializers.CharField()
    note = serializers.CharField()
    load_kg = serializers.FloatField(allow_null=True)
    pain_guide = serializers.CharField(help_text="Silbernagel's pain zones and the next-morning rule")
    rm = serializers.IntegerField(allow_null=True, help_text="HSR: the repetition maximum this stage aims at")
    suggested_load_kg = serializers.FloatField(
        allow_null=True, help_text="HSR: from the previous stage's loads (Epley), rounded to 2.5 kg; a suggestion"
    )
    find_rm = serializers.BooleanField(
        help_text="HSR with no load to start from: the player guides finding the RM (start light, add load "
        "between sets until the reps are hard)"
    )
    tempo_seconds = TempoSerializer(help_text="The exercise player's tempo")
    rest_seconds = RestSerializer(help_text="The exercise player's rests")
    movement = MovementSerializer(help_text="What the player's illustration shows")
    logged_sets = serializers.IntegerField(required=False)
    logged_by_side = serializers.DictField(child=serializers.IntegerField(), required=False)


class PrescriptionSerializer(serializers.Serializer):
    program = serializers.IntegerField(allow_null=True)
    date = serializers.DateField()
    week = serializers.IntegerField(allow_null=True)
    training_day = serializers.BooleanField()
    training_weekdays = serializers.ListField(
        child=serializers.IntegerField(), help_text="HSR weekdays in force (Monday=0); empty for daily protocols"
    )
    items = PrescriptionItemSerializer(many=True)


class DateQuerySerializer(serializers.Serializer):
    date = BoundedDateField(required=False)


class SetLogSerializer(serializers.ModelSerializer):
    """A set log as the PWA sends it; validated against the patient's programs (context)."""

    client_id = UUIDStringField()
    date = serializers.DateField()
    exercise = serializers.ChoiceField(choices=Exercise.choices)
    reps = serializers.IntegerField(min_value=1, max_value=500)
    # No schema default (generators would make it required): validate() sets body weight when it is left out.
    load_kg = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(MAX_LOAD_KG),
        required=False,
        help_text="Added load; 0 (body weight) when left out",
    )
    pain = serializers.IntegerField(min_value=0, max_value=10)
    session = serializers.ChoiceField(choices=Session.choices, allow_null=True, required=False, default=None)
    side = serializers.ChoiceField(
        choices=["left", "right"],
        required=False,
        help_text="The leg: required when the patient's side is both; defaults to the affected side otherwise",
    )

    class Meta:
        model = SetLog
        fields = [
            "id",
            "client_id",
            "patient",
            "program",
            "date",
            "week",
            "exercise",
            "reps",
            "load_kg",
            "pain",
            "session",
            "side",
            "created_at",
        ]
        read_only_fields = ["id", "patient", "program", "week", "created_at"]

    def validate(self, attrs):
        patient = self.context["patient"]
        today = self.context.get("today") or local_today(patient.timezone)
        day = attrs["date"]
        if day > today:
            message = gettext("{day} is in the future for you (today is {today}).").format(day=day, today=today)
            raise serializers.ValidationError({"date": [message]})
        program = program_on(self.context["programs"], day) or maintenance_program_on(self.context["programs"], day)
        if program is None:
            raise serializers.ValidationError({"date": [gettext("{day} is outside your program.").format(day=day)]})
        if attrs["exercise"] not in PROTOCOLS[program.protocol].exercises:
            raise serializers.ValidationError({"exercise": [gettext("This exercise is not part of your program.")]})
        if attrs.get("session") and not PROTOCOLS[program.protocol].daily:
            raise serializers.ValidationError({"session": ["Sessions (am/pm) apply to the Alfredson protocol only."]})
        attrs.setdefault("load_kg", Decimal(0))
        attrs["side"] = _leg(patient.side, attrs.get("side"))
        attrs["program"] = program
        attrs["today"] = today  # the kept adherence figures change only for finished days
        return attrs


class SetLogEditSerializer(serializers.Serializer):
    """What a patient may mend in a set of today or yesterday: the reps, the load, the pain (one or more)."""

    reps = serializers.IntegerField(min_value=1, max_value=500, required=False)
    load_kg = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal(0), max_value=Decimal(MAX_LOAD_KG), required=False
    )
    pain = serializers.IntegerField(min_value=0, max_value=10, required=False)

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        if unknown:
            only = gettext("Only the reps, the load and the pain can be changed; delete the set and log it again.")
            raise serializers.ValidationError({name: [only] for name in unknown})
        if not attrs:
            raise serializers.ValidationError({"non_field_errors": ["Send reps, load_kg or pain to change."]})
        return attrs


def _leg(affected: str, given: str | None) -> str:
    """docs/clinical.md §7.2: a set names its leg when both are affected; otherwise it is the affected side."""
    if affected == "both":
        if given is None:
            message = gettext("Both legs are affected: say which leg (left or right).")
            raise serializers.ValidationError({"side": [message]})
        return given
    if given not in (None, affected):
        raise serializers.ValidationError({"side": [gettext("This is not your affected leg.")]})
    return affected


class BatchResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["created", "duplicate", "conflict", "invalid"])
    id = serializers.IntegerField(allow_null=True)
    errors = serializers.DictField(allow_null=True)


class BatchResponseSerializer(serializers.Serializer):
    results = BatchResultSerializer(many=True)
    notice = serializers.CharField(required=False, help_text="Present when a red flag holds the exercises")


class DayFigureSerializer(serializers.Serializer):
    date = serializers.DateField()
    prescribed_sets = serializers.IntegerField()
    completed_sets = serializers.FloatField(help_text="Reps-weighted: a set counts min(reps ÷ prescribed reps, 1)")
    status = serializers.CharField()


class WeekFigureSerializer(serializers.Serializer):
    week = serializers.IntegerField()
    prescribed_sets = serializers.FloatField()
    completed_sets = serializers.FloatField()
    adherence = serializers.FloatField(allow_null=True)


class AdherenceSerializer(serializers.Serializer):
    program = serializers.IntegerField(allow_null=True)
    date_from = serializers.DateField(source="adherence.date_from", allow_null=True)
    date_to = serializers.DateField(source="adherence.date_to", allow_null=True)
    overall = serializers.FloatField(source="adherence.overall", allow_null=True)
    prescribed_sets = serializers.FloatField(source="adherence.prescribed_sets")
    completed_sets = serializers.FloatField(source="adherence.completed_sets")
    days = DayFigureSerializer(source="adherence.days", many=True)
    weeks = WeekFigureSerializer(source="adherence.weeks", many=True)


class DemonstrationSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="On this origin; the name is the content's SHA-256")
    content_type = serializers.ChoiceField(choices=list(mediafiles.TYPES))
    size = serializers.IntegerField(help_text="Bytes")
    caption = serializers.CharField(help_text="The alt text of an image, the caption of a video")

    class Meta:
        model = Demonstration
        fields = ["id", "exercise", "kind", "url", "content_type", "size", "caption", "order"]

    def get_url(self, demonstration: Demonstration) -> str:
        return settings.MEDIA_URL + demonstration.file.name


class DemonstrationQuerySerializer(StrictQuery):
    exercise = serializers.ChoiceField(choices=Exercise.choices, required=False)
