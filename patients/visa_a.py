"""VISA-A scoring (Robinson et al., Br J Sports Med 2001;35:335; CLINICAL.md §6).

Items 1–6 are integers 0–10; item 7 takes 0, 4, 7 or 10; item 8 is 0–30 (the
patient answers one of three branches scoring up to 30, 20 and 10). The total,
0–100, is the sum (100 = no symptoms).
"""

ITEM_COUNT = 8
ITEM_7_VALUES = (0, 4, 7, 10)
ITEM_8_MAX = 30


def item_errors(answers: list) -> list[str]:
    """One message per invalid answer; empty when the questionnaire is valid."""
    if not isinstance(answers, list) or len(answers) != ITEM_COUNT:
        return [f"Give exactly {ITEM_COUNT} answers."]
    errors = []
    for number, value in enumerate(answers, start=1):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            errors.append(f"Item {number}: a whole number is required.")
        elif number <= 6 and not 0 <= value <= 10:
            errors.append(f"Item {number}: must be 0–10.")
        elif number == 7 and value not in ITEM_7_VALUES:
            errors.append("Item 7: must be one of 0, 4, 7, 10.")
        elif number == 8 and not 0 <= value <= ITEM_8_MAX:
            errors.append(f"Item 8: must be 0–{ITEM_8_MAX}.")
    return errors


def score(answers: list[int]) -> int:
    return int(sum(answers))
