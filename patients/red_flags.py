"""What a red-flag answer means and what the patient is told (docs/clinical.md §8).

Suspected rupture (AAOS 2009; AAFP 2002): a sudden pop, or no single-leg heel
raise — being able to walk does not rule a rupture out. Inflammation or
infection: a warm, red, swollen tendon, fever. Drug-related: new Achilles pain
after fluoroquinolone antibiotics or steroids. Every kind stops the exercises
until a clinician resolves the flag. Whom to call comes from the patient's clinic (its name, phone number
and red-flag contact text), else from the install's settings.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

from .models import Clinic, RedFlag


@dataclass(frozen=True)
class Advice:
    kind: str  # suspected_rupture | inflammation | drug_related
    title: str
    text: str
    phone: str | None = None  # the clinic's number: the app shows a call button


KINDS = {
    RedFlag.SUDDEN_POP: "suspected_rupture",
    RedFlag.CANNOT_HEEL_RAISE: "suspected_rupture",
    RedFlag.SWELLING_OR_REDNESS: "inflammation",
    RedFlag.FEVER: "inflammation",
    RedFlag.FLUOROQUINOLONE_OR_STEROID: "drug_related",
}
ORDER = ("suspected_rupture", "inflammation", "drug_related")


def contact_texts(where: Clinic | None) -> tuple[str, str]:
    """Whom to call (the clinic with its phone, else ``CLINIC_CONTACT_TEXT``) and where to go when it is
    closed (``URGENT_CARE_TEXT``), in the active language."""
    phone = where.contact_phone if where is not None and where.contact_phone else None
    if phone:
        clinic = gettext("{name} on {phone}").format(name=where.name, phone=phone)
    else:
        clinic = settings.CLINIC_CONTACT_TEXT or gettext("your clinic")
    return clinic, settings.URGENT_CARE_TEXT or gettext("an urgent care centre or emergency department")


def _texts(where: Clinic | None) -> dict[str, Advice]:
    """The advice in the active language (the patient's: core/language.py); the clinic's own texts as set."""
    clinic, urgent = contact_texts(where)
    phone = where.contact_phone if where is not None and where.contact_phone else None
    extra = f" {where.red_flag_contact.strip()}" if where is not None and where.red_flag_contact.strip() else ""
    return {
        "suspected_rupture": Advice(
            "suspected_rupture",
            gettext("Your tendon may be torn"),
            gettext(
                "Stop your exercises now. Do not test the tendon by hopping or rising onto your toes. You need to "
                "be seen today: call {clinic}; if the clinic is closed, go to {urgent}. Being able to walk does "
                "not rule a tear out."
            ).format(clinic=clinic, urgent=urgent)
            + extra,
            phone,
        ),
        "inflammation": Advice(
            "inflammation",
            gettext("Your tendon may be inflamed or infected"),
            gettext(
                "Stop your exercises and contact {clinic} today. If you have a fever or feel unwell and the clinic "
                "is closed, go to {urgent}."
            ).format(clinic=clinic, urgent=urgent)
            + extra,
            phone,
        ),
        "drug_related": Advice(
            "drug_related",
            gettext("Your pain may be caused by a medicine"),
            gettext(
                "Stop your exercises and contact the doctor who prescribed the medicine today. Do not stop a "
                "prescribed medicine without their advice."
            ),
        ),
    }


def advice_for(answers: list[str], clinic: Clinic | None = None) -> list[Advice]:
    """The advice for these red-flag answers, the most urgent first (none for no answers), naming ``clinic``'s
    phone number when it has one."""
    kinds = {KINDS[a] for a in answers if a in KINDS}
    if not kinds:
        return []
    texts = _texts(clinic)
    return [texts[k] for k in ORDER if k in kinds]


def describe(answers: list[str]) -> str:
    return "; ".join(RedFlag(a).label.lower() for a in answers if a in RedFlag.values)
