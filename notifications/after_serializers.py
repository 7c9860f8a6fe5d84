"""Shapes of the after-week-12 endpoints: the review decision, the running gate, the running log."""

from django.conf import settings
from rest_framework import serializers

from core.api import UUIDStringField
from exercises.models import AfterCare, NextStep, Referral, RunLog, RunningGate
from exercises.running import judge_run

from .models import FollowUp, OutcomeReview

NOTE_MAX = 4000


class FollowUpSerializer(serializers.ModelSerializer):
    class Meta:
        model = FollowUp
        fields = ["months", "due_on", "reminded_at", "score"]


class RunningGateSerializer(serializers.ModelSerializer):
    signed_by = serializers.CharField(source="signed_by.username", allow_null=True, read_only=True, default=None)
    sign = serializers.BooleanField(write_only=True, default=False, help_text="Sign it (every item must be met)")
    heel_raise_affected = serializers.IntegerField(min_value=0, max_value=500, allow_null=True, required=False)
    heel_raise_other = serializers.IntegerField(min_value=0, max_value=500, allow_null=True, required=False)
    note = serializers.CharField(max_length=NOTE_MAX, allow_blank=True, required=False, default="")

    class Meta:
        model = RunningGate
        fields = ["pain_ok", "heel_raise_affected", "heel_raise_other", "heel_raise_ok", "hopping_ok",
                  "patient_ready", "note", "sign", "signed_by", "signed_at"]  # fmt: skip
        read_only_fields = ["signed_at"]

    def validate(self, attrs):
        mine, other = attrs.get("heel_raise_affected"), attrs.get("heel_raise_other")
        if mine is not None and other:
            ratio = mine / other
            if attrs.get("heel_raise_ok") and ratio < settings.GATE_HEEL_RAISE_RATIO:
                raise serializers.ValidationError({"heel_raise_ok": [
                    f"{mine} of {other} heel raises is {round(ratio * 100)} %, below "
                    f"{round(settings.GATE_HEEL_RAISE_RATIO * 100)} % of the other side."]})  # fmt: skip
        return attrs


class ReviewDecisionSerializer(serializers.Serializer):
    next_state = serializers.ChoiceField(choices=NextStep.choices)
    patient_note = serializers.CharField(max_length=NOTE_MAX, help_text="Written for the patient; shown in the app")
    clinical_note = serializers.CharField(max_length=NOTE_MAX, allow_blank=True, required=False, default="")
    referral = serializers.ChoiceField(
        choices=Referral.choices,
        required=False,
        allow_blank=True,
        help_text="With referred: the care pathway's next step",
    )
    referral_note = serializers.CharField(max_length=NOTE_MAX, allow_blank=True, required=False, default="")

    def validate(self, attrs):
        attrs.setdefault("referral", "")
        if attrs["next_state"] == NextStep.REFERRED and not attrs["referral"]:
            raise serializers.ValidationError({"referral": ["Referred on names the next step of the care pathway."]})
        return attrs


class ReviewSerializer(serializers.Serializer):
    """A program's end-of-week-12 review: the scores, the decision and what follows."""

    program = serializers.IntegerField()
    baseline = serializers.IntegerField(allow_null=True)
    outcome = serializers.IntegerField(allow_null=True)
    review_due = serializers.BooleanField()
    patient_note = serializers.CharField(allow_blank=True)
    clinical_note = serializers.CharField(allow_blank=True)
    decided_by = serializers.CharField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    next_state = serializers.ChoiceField(choices=NextStep.choices, allow_null=True)
    referral = serializers.CharField(allow_blank=True)
    referral_note = serializers.CharField(allow_blank=True)
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    gate = RunningGateSerializer(allow_null=True)
    follow_ups = FollowUpSerializer(many=True)

    @staticmethod
    def shape(program, review: OutcomeReview | None, aftercare: AfterCare | None) -> dict:
        gate = getattr(aftercare, "gate", None) if aftercare else None
        return {
            "program": program.id,
            "baseline": review.baseline if review else None,
            "outcome": review.outcome if review else None,
            "review_due": review.review_due if review else False,
            "patient_note": review.patient_note if review else "",
            "clinical_note": review.clinical_note if review else "",
            "decided_by": review.decided_by.username if review and review.decided_by else None,
            "decided_at": review.decided_at if review else None,
            "next_state": aftercare.state if aftercare else None,
            "referral": aftercare.referral if aftercare else "",
            "referral_note": aftercare.referral_note if aftercare else "",
            "starts_on": aftercare.starts_on if aftercare else None,
            "ends_on": aftercare.ends_on if aftercare else None,
            "gate": RunningGateSerializer(gate).data if gate else None,
            "follow_ups": FollowUpSerializer(program.follow_ups.all(), many=True).data,
        }


class RunLogSerializer(serializers.ModelSerializer):
    client_id = UUIDStringField()
    minutes_run = serializers.IntegerField(min_value=0, max_value=300)
    pain_during = serializers.IntegerField(min_value=0, max_value=10)
    pain_next_morning = serializers.IntegerField(min_value=0, max_value=10, allow_null=True, required=False)
    ok = serializers.SerializerMethodField(help_text="Kept the pain rules (null until the next morning's pain)")

    class Meta:
        model = RunLog
        fields = ["id", "client_id", "patient", "date", "step", "minutes_run", "pain_during", "pain_next_morning",
                  "ok", "created_at"]  # fmt: skip
        read_only_fields = ["patient", "step", "created_at"]

    def get_ok(self, log) -> bool | None:
        return judge_run(log).ok


class RunLogMorningSerializer(serializers.Serializer):
    pain_next_morning = serializers.IntegerField(min_value=0, max_value=10)
