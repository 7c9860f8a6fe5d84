"""Events other apps act on, so that this lower layer never imports them."""

from django.dispatch import Signal

# Sent inside the transaction that stores a check-in (``checkin``): notifications reports red flags from it,
# so a red flag and its check-in are stored together or not at all.
checkin_recorded = Signal()

# Sent inside the transaction that changes what a patient's days are or owe (``patient``): a new time zone
# or affected side. What is kept per day (the caseload's adherence figures) expires at once.
patient_days_changed = Signal()
