"""``GET /api/v1/today/``: the patient's day — state, exercises or red-flag advice, prompts (docs/api.md §10).

The patient's read side lives here, with the project that composes the apps, because it needs every app
below: the prescription and sets (exercises), the check-ins and VISA-A (patients), and the open red flag
(notifications). ``records`` is the clinician's read side.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.localtime import local_today
from core.permissions import only_for
from exercises.aggregates import todays_set_counts
from exercises.models import NextStep, Program, ProgramStatus
from exercises.outcomes import visa_a_asking, visa_a_due
from exercises.prescriptions import ON_HOLD_NOTICE, maintenance_data, prescription_data
from exercises.progression import progression_due, progression_prompt, progression_rows
from exercises.protocols import PAIN_GUIDE, week_ahead
from exercises.running import progress
from exercises.selectors import current_program
from exercises.serializers import PrescriptionSerializer
from exercises.services import running_started
from notifications.aftercare import aftercare_of, follow_up_pending
from notifications.models import Flag, FlagKind, FollowUp, OutcomeReview, RedFlagOutcome
from notifications.selectors import DECISION_SHOWN_DAYS, red_flag_decision
from patients.models import CheckIn, Role, VisaA
from patients.red_flags import advice_for
from patients.scope import patient_of


class AdviceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["suspected_rupture", "inflammation", "drug_related"])
    title = serializers.CharField()
    text = serializers.CharField()
    phone = serializers.CharField(allow_null=True, help_text="The clinic's number for a call button (tel:)")


class ProgressionSerializer(serializers.Serializer):
    add_kg = serializers.FloatField()
    text = serializers.CharField()


class RunningSerializer(serializers.Serializer):
    started = serializers.BooleanField(help_text="The physio has signed the return-to-running checklist")
    step = serializers.IntegerField(help_text="The next session's step (1-based)")
    steps = serializers.IntegerField()
    minutes_run = serializers.IntegerField(help_text="Minutes of running within the walk at this step")
    sessions_per_week = serializers.IntegerField()
    held = serializers.BooleanField(help_text="The last session broke a pain rule: the step is repeated")
    held_reason = serializers.CharField(allow_blank=True)
    awaiting_morning = serializers.DictField(allow_null=True, help_text="{id, date} of a run waiting for the "
                                             "next morning's pain")  # fmt: skip
    done = serializers.BooleanField()


class AfterWeek12Serializer(serializers.Serializer):
    """What follows the 12 weeks: null until the program ends; ``next_state`` null until the review is decided."""

    next_state = serializers.ChoiceField(choices=NextStep.choices, allow_null=True)
    patient_note = serializers.CharField(allow_blank=True, help_text="The clinician's note for the patient")
    decided_at = serializers.DateTimeField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True, help_text="Maintenance: its last day")
    referral = serializers.CharField(allow_blank=True)
    referral_note = serializers.CharField(allow_blank=True)
    running = RunningSerializer(allow_null=True)


STATES = ["training", "rest", "paused", "red_flag", "no_program", "completed", *NextStep.values]


class WhereSerializer(serializers.Serializer):
    week = serializers.IntegerField()
    weeks = serializers.IntegerField()
    change = serializers.ChoiceField(
        choices=["stage", "same_stage", "load_prompt", "last_week"],
        help_text="What next week changes: an HSR stage, the same HSR stage, Alfredson's load prompt, or none",
    )
    sets = serializers.IntegerField(allow_null=True, help_text="Next week's sets (null in the last week)")
    reps = serializers.IntegerField(allow_null=True, help_text="Next week's reps or RM (null in the last week)")
    text = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=RedFlagOutcome.choices)
    title = serializers.CharField()
    text = serializers.CharField(help_text="What to do now, with the clinician's note to the patient")
    note = serializers.CharField(allow_blank=True, help_text="The clinician's note to the patient alone")
    resolved_at = serializers.DateTimeField()


class TodaySerializer(PrescriptionSerializer):
    state = serializers.ChoiceField(choices=STATES)
    advice = AdviceSerializer(many=True, help_text="With state red_flag: what to do now, the most urgent first")
    notice = serializers.CharField(allow_null=True)
    pain_guide = serializers.CharField()
    progression = ProgressionSerializer(allow_null=True)
    visa_a_due = serializers.ChoiceField(choices=["baseline", "mid", "outcome", "follow_up"], allow_null=True)
    where = WhereSerializer(allow_null=True, help_text="The program's week and what changes next week")
    decision = DecisionSerializer(
        allow_null=True,
        help_text=f"A clinician's decision on the patient's last red flag, for {DECISION_SHOWN_DAYS} days after it",
    )
    outcome_review = serializers.ChoiceField(
        choices=["asked", "sent"],
        allow_null=True,
        help_text="While the outcome VISA-A's window is open: asked or sent; the physio reviews the results with "
        "the patient",
    )
    after_week12 = AfterWeek12Serializer(allow_null=True)


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
    """Programs with what the day needs beside them: an open red flag, when the last red flag was resolved, the
    last load change (built once)."""
    red_flags = Flag.objects.filter(patient=OuterRef("patient_id"), kind=FlagKind.RED_FLAG)
    red_flag = Exists(red_flags.open())
    decided = Subquery(red_flags.order_by("-created_at", "-id").values("resolved_at")[:1])
    return progression_rows().annotate(red_flag_open=red_flag, red_flag_decided_at=decided)


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
    program = current_program(patient, _day_rows())  # one query (two when ever paused)
    answers = _red_flag_answers(patient) if program is None or program.red_flag_open else None
    data = prescription_data(program, today)
    state = _state(program, today, answers is not None, data["training_day"])
    data |= {"state": state, "advice": [], "notice": None, "pain_guide": PAIN_GUIDE, "progression": None,
             "visa_a_due": None, "where": None, "decision": None, "outcome_review": None,
             "after_week12": None}  # fmt: skip
    if state == "completed":
        data, state = _after_week12(program, today, data)
    if program is not None and data["week"] is not None and state in ("training", "rest"):  # a pause holds the week
        data["where"] = week_ahead(program.protocol, data["week"])
    if answers is None and _decided_lately(program):
        data["decision"] = red_flag_decision(patient=patient)
    if answers is not None:
        data["items"] = []
        data["advice"] = [vars(a) for a in advice_for(answers, patient.clinic)]
        data["notice"] = ON_HOLD_NOTICE
    else:
        _count_logged(data["items"], patient, today)
    if program is not None and state in ("training", "rest") and program.id in progression_due([program], today):
        data["progression"] = progression_prompt(patient)
    # asked while a stage's window is open: the outcome's runs to 7 days after the end, past "completed"
    asked_in = ("training", "rest", "completed", *NextStep.values)
    asking = visa_a_asking(program, today) if program is not None and state in asked_in else []
    if asking:
        dates = list(VisaA.objects.filter(patient=patient).values_list("date", flat=True))  # only now do they matter
        stage = visa_a_due(program, today, dates)
        data["visa_a_due"] = stage.name if stage else None
        if any(s.name == "outcome" for s in asking):
            data["outcome_review"] = "asked" if data["visa_a_due"] == "outcome" else "sent"
    after = program is not None and data["visa_a_due"] is None and data["after_week12"] is not None
    if after and any(follow_up_pending(f, today) for f in FollowUp.objects.filter(program=program)):
        data["visa_a_due"] = "follow_up"
    return data


def _after_week12(program, today: dt.date, data: dict) -> tuple[dict, str]:
    """After the end: the review's decision and the state it chose (docs/clinical.md §11); "completed" until the
    review is decided, and again once maintenance's 12 weeks are over."""
    review = OutcomeReview.objects.filter(program=program, decided_at__isnull=False).first()
    aftercare = aftercare_of(program) if review else None
    after = {"next_state": None, "patient_note": "", "decided_at": None, "starts_on": None, "ends_on": None,
             "referral": "", "referral_note": "", "running": None}  # fmt: skip
    data["after_week12"] = after
    if aftercare is None:
        return data, "completed"
    after |= {"next_state": aftercare.state, "patient_note": review.patient_note, "decided_at": review.decided_at,
              "starts_on": aftercare.starts_on, "ends_on": aftercare.ends_on, "referral": aftercare.referral,
              "referral_note": aftercare.referral_note}  # fmt: skip
    state = aftercare.state
    if state == NextStep.MAINTENANCE:
        if aftercare.ends_on < today:
            return data, "completed"
        data |= maintenance_data(program, aftercare, today)  # counted below, like any day's
    elif state == NextStep.RETURN_TO_RUNNING:
        logs = list(aftercare.run_logs.all())
        where = progress(logs)
        waiting = where.awaiting_morning
        after["running"] = {
            "started": running_started(aftercare), "step": where.step, "steps": where.steps,
            "minutes_run": where.minutes_run, "sessions_per_week": settings.RUN_SESSIONS_PER_WEEK,
            "held": where.held, "held_reason": where.held_reason,
            "awaiting_morning": {"id": waiting.id, "date": waiting.date} if waiting else None, "done": where.done,
        }  # fmt: skip
    data["state"] = state
    return data, state


def _decided_lately(program) -> bool:
    """Whether a red-flag decision may be shown: the program's row says when the last red flag was resolved, so
    the decision is read only in the days after one (no patient without a program is left out)."""
    if program is None:
        return True
    decided = program.red_flag_decided_at
    return decided is not None and decided >= timezone.now() - dt.timedelta(days=DECISION_SHOWN_DAYS)


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
