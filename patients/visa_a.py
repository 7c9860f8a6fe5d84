"""VISA-A scoring (Robinson et al., Br J Sports Med 2001;35:335; docs/clinical.md §6).

Items 1–6 are integers 0–10; item 7 takes 0, 4, 7 or 10. Item 8 is answered in
exactly one of three branches — A, no pain during Achilles-loading sport; B, some
pain that does not stop training; C, pain that stops training — each with five
published values. The total, 0–100, is the sum (100 = no symptoms).
"""

ITEM_COUNT = 8
ITEM_7_VALUES = (0, 4, 7, 10)
ITEM_8_BRANCHES = {
    "A": (0, 7, 14, 21, 30),
    "B": (0, 4, 10, 14, 20),
    "C": (0, 2, 5, 7, 10),
}


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def item_errors(answers, branch: str | None = None) -> list[str]:
    """One message per invalid answer; empty when the questionnaire is valid."""
    if not isinstance(answers, list) or len(answers) != ITEM_COUNT:
        return [f"Give exactly {ITEM_COUNT} answers."]
    errors = []
    for number, value in enumerate(answers, start=1):
        if not _whole(value):
            errors.append(f"Item {number}: a whole number is required.")
        elif number <= 6 and not 0 <= value <= 10:
            errors.append(f"Item {number}: must be 0–10.")
        elif number == 7 and value not in ITEM_7_VALUES:
            errors.append("Item 7: must be one of 0, 4, 7, 10.")
        elif number == 8 and branch is not None and value not in ITEM_8_BRANCHES[branch]:
            allowed = ", ".join(map(str, ITEM_8_BRANCHES[branch]))
            errors.append(f"Item 8: branch {branch} allows {allowed}.")
        elif number == 8 and branch is None and not branches_for(value):
            errors.append(
                "Item 8: must be a value of branch A (0, 7, 14, 21, 30), B (0, 4, 10, 14, 20) or C (0, 2, 5, 7, 10)."
            )
    return errors


def branches_for(value: int) -> list[str]:
    return [b for b, values in ITEM_8_BRANCHES.items() if value in values]


def branch_of(item8: int, given: str | None) -> str | None:
    """The item-8 branch to store: the one given, else the only branch that allows the value (None if several)."""
    if given:
        return given
    possible = branches_for(item8)
    return possible[0] if len(possible) == 1 else None


def score(answers: list[int]) -> int:
    return sum(int(a) for a in answers)
