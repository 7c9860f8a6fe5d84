"""Events other apps act on, so that this lower layer never imports them."""

from django.dispatch import Signal

# Sent inside the transaction that stores a check-in (``checkin``): notifications reports red flags from it,
# so a red flag and its check-in are stored together or not at all.
checkin_recorded = Signal()

# Sent inside the transaction that changes a patient's time zone (``patient``): what is kept per local day
# (the adherence figures of the caseload) expires at once, not at midnight in the old zone.
patient_timezone_changed = Signal()
