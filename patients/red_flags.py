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


def _texts(where: Clinic | None) -> dict[str, Advice]:
    phone = where.contact_phone if where is not None and where.contact_phone else None
    clinic = f"{where.name} on {phone}" if phone else settings.CLINIC_CONTACT_TEXT
    urgent = settings.URGENT_CARE_TEXT
    extra = f" {where.red_flag_contact.strip()}" if where is not None and where.red_flag_contact.strip() else ""
    return {
        "suspected_rupture": Advice(
            "suspected_rupture",
            "Your tendon may be torn",
            "Stop your exercises now. Do not test the tendon by hopping or rising onto your toes. You need to be "
            f"seen today: call {clinic}; if the clinic is closed, go to {urgent}. Being able to walk does not rule "
            f"a tear out.{extra}",
            phone,
        ),
        "inflammation": Advice(
            "inflammation",
            "Your tendon may be inflamed or infected",
            f"Stop your exercises and contact {clinic} today. If you have a fever or feel unwell and the clinic is "
            f"closed, go to {urgent}.{extra}",
            phone,
        ),
        "drug_related": Advice(
            "drug_related",
            "Your pain may be caused by a medicine",
            "Stop your exercises and contact the doctor who prescribed the medicine today. Do not stop a "
            "prescribed medicine without their advice.",
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
