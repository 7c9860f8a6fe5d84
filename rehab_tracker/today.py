"""``GET /api/v1/today/``: the patient's day — state, exercises or red-flag advice, prompts (docs/api.md §10).

The patient's read side lives here, with the project that composes the apps, because it needs every app
below: the prescription and sets (exercises), the check-ins and VISA-A (patients), and the open red flag
(notifications). ``records`` is the clinician's read side.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache

from django.db.models import Exists, OuterRef, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.localtime import local_today
from core.permissions import only_for
from exercises.aggregates import todays_set_counts
from exercises.models import Program, ProgramStatus
from exercises.outcomes import visa_a_asking, visa_a_due
from exercises.prescriptions import ON_HOLD_NOTICE, prescription_data
from exercises.progression import progression_due, progression_prompt, progression_rows
from exercises.protocols import PAIN_GUIDE
from exercises.selectors import current_program
from exercises.serializers import PrescriptionSerializer
from notifications.models import Flag, FlagKind
from patients.models import CheckIn, Role, VisaA
from patients.red_flags import advice_for
from patients.scope import patient_of


class AdviceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["suspected_rupture", "inflammation", "drug_related"])
    title = serializers.CharField()
    text = serializers.CharField()


class ProgressionSerializer(serializers.Serializer):
    add_kg = serializers.FloatField()
    text = serializers.CharField()


class TodaySerializer(PrescriptionSerializer):
    state = serializers.ChoiceField(choices=["training", "rest", "paused", "red_flag", "no_program", "completed"])
    advice = AdviceSerializer(many=True, help_text="With state red_flag: what to do now, the most urgent first")
    notice = serializers.CharField(allow_null=True)
    pain_guide = serializers.CharField()
    progression = ProgressionSerializer(allow_null=True)
    visa_a_due = serializers.ChoiceField(choices=["baseline", "mid", "outcome"], allow_null=True)
    checked_in = serializers.BooleanField(help_text="Today's morning check-in is stored (the app stops asking)")


def _state(program, today: dt.date, red_flag: bool, training_day: bool) -> str:
    if red_flag:
        return "red_flag"
    if program is None or program.status == ProgramStatus.STOPPED:
        return "no_program"
    if program.status == ProgramStatus.COMPLETED or (today > program.end_date and program.open_pause is None):
        return "completed"
    if program.status == ProgramStatus.PAUSED or program.paused_on(today):
        return "paused"
    return "training" if training_day else "rest"


def _red_flag_answers(patient) -> list[str] | None:
    """The answers behind the patient's open red flag, or None when none is open."""
    flag = (
        Flag.objects.open().filter(patient=patient, kind=FlagKind.RED_FLAG).prefetch_related("reports__checkin").first()
    )
    if flag is None:
        return None
    answers = {a for report in flag.reports.all() for a in report.checkin.red_flags}
    if not answers:  # a flag raised before reports were kept: take the latest red-flag check-in
        latest = CheckIn.objects.filter(patient=patient).exclude(red_flags=[]).order_by("-created_at").first()
        answers = set(latest.red_flags) if latest else set()
    return sorted(answers)


@cache
def _day_rows() -> QuerySet[Program]:
    """Programs with what the day needs beside them: an open red flag, the last load change (built once)."""
    red_flag = Exists(Flag.objects.open().filter(patient=OuterRef("patient_id"), kind=FlagKind.RED_FLAG))
    return progression_rows().annotate(red_flag_open=red_flag)


class TodayView(APIView):
    """Today in the patient's zone: the exercises with sets logged so far, or the advice while a red flag is open."""

    permission_classes = [only_for(Role.PATIENT)]

    @extend_schema(responses=TodaySerializer)
    def get(self, request):
        # The day is built of plain values exactly as TodaySerializer renders them (a test holds the two equal in
        # every state), so it goes out as it is, without a second pass through the serializer's fields.
        return Response(day_of(patient_of(request)))


def day_of(patient) -> dict:
    """The patient's day, in the shape of TodaySerializer."""
    today = local_today(patient.timezone)
    checked_in = Exists(CheckIn.objects.filter(patient=OuterRef("patient_id"), date=today))
    program = current_program(patient, _day_rows().annotate(checked_in=checked_in))  # one query (two when paused)
    answers = _red_flag_answers(patient) if program is None or program.red_flag_open else None
    data = prescription_data(program, today)
    state = _state(program, today, answers is not None, data["training_day"])
    data |= {"state": state, "advice": [], "notice": None, "pain_guide": PAIN_GUIDE, "progression": None,
             "visa_a_due": None, "checked_in": bool(program is not None and program.checked_in)}  # fmt: skip
    if answers is not None:
        data["items"] = []
        data["advice"] = [vars(a) for a in advice_for(answers)]
        data["notice"] = ON_HOLD_NOTICE
    else:
        _count_logged(data["items"], patient, today)
    if program is not None and state in ("training", "rest") and program.id in progression_due([program], today):
        data["progression"] = progression_prompt()
    # asked while a stage's window is open: the outcome's runs to 7 days after the end, past "completed"
    if program is not None and state in ("training", "rest", "completed") and visa_a_asking(program, today):
        dates = list(VisaA.objects.filter(patient=patient).values_list("date", flat=True))  # only now do they matter
        stage = visa_a_due(program, today, dates)
        data["visa_a_due"] = stage.name if stage else None
    return data


def _count_logged(items: list[dict], patient, today: dt.date) -> None:
    """Sets logged so far per item (and per leg); sets logged without a session fill am, then pm."""
    counts = todays_set_counts(patient.id, today)  # {(exercise, session, side): sets}
    spare: Counter[str] = Counter()
    for (exercise, session, _side), n in counts.items():
        if session is None:
            spare[exercise] += n
    for item in items:
        mine = {side: n for (ex, s, side), n in counts.items() if ex == item["exercise"] and s == item["session"]}
        item["logged_sets"] = sum(mine.values())
        if patient.side == "both":
            item["logged_by_side"] = {leg: mine.get(leg, 0) for leg in ("left", "right")}
    for item in items:
        if item["session"] is None:
            continue
        take = max(0, min(item["sets"] - item["logged_sets"], spare[item["exercise"]]))
        item["logged_sets"] += take
        spare[item["exercise"]] -= take
