"""Morning pain and stiffness worse than usual (Silbernagel 2007, docs/clinical.md §5): lower the load, do not stop.

"Usual" is the mean of the patient's check-ins dated in the days before this one (``MORNING_USUAL_DAYS``);
worse is above it by ``MORNING_PAIN_WORSE_BY`` points or ``MORNING_STIFFNESS_WORSE_BY`` minutes. With no
earlier check-in to compare with, morning pain above ``PAIN_ABOVE`` counts as worse. A check-in with a
red-flag answer gets the red-flag advice only: that one says stop.
"""

import datetime as dt

from django.conf import settings
from django.db.models import Avg, Count

from .clinics import patient_setting
from .models import CheckIn
from .red_flags import Advice

MORNING_WORSE = Advice(
    "morning_worse",
    "Lower today's load",
    "Your morning pain or stiffness is worse than on the previous days. Lower the load today: use less weight or "
    "fewer reps in your exercises. Pain alone is no reason to stop them. If it is worse again tomorrow, tell your "
    "physio.",
)


def morning_advice(checkin: CheckIn) -> list[Advice]:
    if checkin.red_flags:
        return []
    usual = (
        CheckIn.objects.filter(
            patient_id=checkin.patient_id,
            date__gte=checkin.date - dt.timedelta(days=settings.MORNING_USUAL_DAYS),
            date__lt=checkin.date,
        )
        .exclude(pk=checkin.pk)
        .aggregate(n=Count("id"), pain=Avg("morning_pain"), stiffness=Avg("morning_stiffness_minutes"))
    )
    if not usual["n"]:
        worse = checkin.morning_pain > patient_setting(checkin.patient, "PAIN_ABOVE")
    else:
        worse = (
            checkin.morning_pain >= usual["pain"] + settings.MORNING_PAIN_WORSE_BY
            or checkin.morning_stiffness_minutes >= usual["stiffness"] + settings.MORNING_STIFFNESS_WORSE_BY
        )
    return [MORNING_WORSE] if worse else []
