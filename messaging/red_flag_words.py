"""Words in a patient's message that name a red-flag sign (docs/clinical.md §8): the app then offers the
check-in at once, because a message is read in office hours and the check-in reaches the physician now.

Data, English and Danish, mapped to the check-in's red-flag answers. A match only offers the check-in; it
never raises a flag by itself (the patient's answers do).
"""

import re

SIGNS: dict[str, tuple[str, ...]] = {
    "sudden_pop": (
        r"pop(ped|ping)?", r"snap(ped)?", r"kicked", r"rupture[ds]?", r"torn", r"tore",
        r"smæld", r"knæk(ket)?", r"sparket", r"sprunget", r"bristet", r"revnet",
    ),
    "cannot_heel_raise": (
        r"(can ?not|can'?t|unable to) (do an? |do a single |stand on (my )?)?(heel|toe)s? ?(raise|rise|lift)?",
        r"kan ikke (stå på tå|lave (en )?tåhævning|hæve hælen)",
    ),
    "swelling_or_redness": (
        r"swell(ing|ed|s)?", r"swollen", r"red(ness)?", r"warm", r"hot",
        r"hæv(else|et|er)", r"rød(me|t)?", r"varm",
    ),
    "fever": (r"fever(ish)?", r"temperature", r"feber", r"febril"),
    "fluoroquinolone_or_steroid": (
        r"antibiotics?", r"ciprofloxacin", r"levofloxacin", r"moxifloxacin", r"quinolones?", r"steroids?",
        r"cortisone", r"prednisolone?", r"antibiotika", r"binyrebarkhormon", r"kortison",
    ),
}  # fmt: skip

_PATTERNS = {
    sign: re.compile(r"(?<!\w)(" + "|".join(words) + r")(?!\w)", re.IGNORECASE) for sign, words in SIGNS.items()
}


def red_flag_signs(text: str) -> list[str]:
    """The red-flag answers ``text`` seems to name, in the check-in's order (empty: none)."""
    return [sign for sign, pattern in _PATTERNS.items() if pattern.search(text)]
