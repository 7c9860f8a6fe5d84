"""Reminders (docs/clinical.md §7.5): each slot once, at local time, across zones and daylight-saving days."""

import datetime as dt
import threading
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from exercises.models import ProgramPause
from notifications import reminders
from notifications.deliveries import inline_delivery
from notifications.models import Flag, Notification, Reminder, ReminderTime

from .factories import PatientFactory, ProgramFactory, SetLogFactory

UTC = dt.UTC


def run(now):
    """One sweep and its processing, in this process, as the command does."""
    with inline_delivery():
        reminders.process(reminder_ids=reminders.sweep(now=now), now=now)


def replay(start, minutes):
    for minute in range(minutes):
        run(start + dt.timedelta(minutes=minute))


def sent(patient):
    return sorted(
        (r.local_date, r.slot.strftime("%H:%M")) for r in Reminder.objects.filter(patient=patient, status="sent")
    )


def enrolled(tz="Europe/Copenhagen", protocol="alfredson", start=dt.date(2026, 3, 2), times=None):
    patient = PatientFactory(timezone=tz)
    ProgramFactory(patient=patient, protocol=protocol, start_date=start)
    for t in times or []:
        ReminderTime.objects.create(patient=patient, local_time=t)
    return patient


@pytest.fixture(autouse=True)
def _no_quiet_hours_by_default(settings, db):
    settings.REMINDER_QUIET_START = settings.REMINDER_QUIET_END = ""


def test_a_whole_day_replayed_minute_by_minute_gives_each_patient_their_reminders():
    copenhagen = enrolled()
    new_york = enrolled("America/New_York", "hsr", start=dt.date(2026, 3, 3))  # HSR Tue/Thu/Sat at 18:00
    kathmandu = enrolled("Asia/Kathmandu", times=[dt.time(6, 45), dt.time(20, 5)])  # +05:45
    call = StringIO()
    start = dt.datetime(2026, 3, 10, 0, 0, tzinfo=UTC)
    for minute in range(0, 24 * 60 + 60):
        now = start + dt.timedelta(minutes=minute)
        call_command("send_reminders", "--now", now.isoformat(), stdout=call)
    assert sent(copenhagen) == [(dt.date(2026, 3, 10), "08:00"), (dt.date(2026, 3, 10), "19:00")]
    assert sent(new_york) == [(dt.date(2026, 3, 10), "18:00")]  # 22:00 UTC: New York is already on EDT
    assert sent(kathmandu) == [(dt.date(2026, 3, 10), "06:45"), (dt.date(2026, 3, 10), "20:05")]
    evening = Reminder.objects.get(patient=copenhagen, slot=dt.time(19))
    assert evening.due_at == dt.datetime(2026, 3, 10, 18, 0, tzinfo=UTC)  # 19:00 CET, within the minute
    assert Notification.objects.filter(user=copenhagen.user, kind="reminder").count() == 2


def test_kathmandu_offset_of_five_forty_five():
    patient = enrolled("Asia/Kathmandu")
    replay(dt.datetime(2026, 3, 10, 2, 13, tzinfo=UTC), 4)  # 08:00 NPT = 02:15 UTC
    reminder = Reminder.objects.get(patient=patient)
    assert reminder.due_at == dt.datetime(2026, 3, 10, 2, 15, tzinfo=UTC) and reminder.status == "sent"


@pytest.mark.parametrize(
    ("tz", "gap_day", "utc_first_valid"),
    [
        ("Europe/Copenhagen", dt.date(2026, 3, 29), dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # 03:00 CEST
        ("America/New_York", dt.date(2026, 3, 8), dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),  # 03:00 EDT
    ],
)
def test_spring_forward_time_goes_at_the_next_valid_minute(tz, gap_day, utc_first_valid):
    patient = enrolled(tz, times=[dt.time(2, 30), dt.time(8, 0)])
    replay(utc_first_valid - dt.timedelta(hours=2), 4 * 60)
    reminder = Reminder.objects.get(patient=patient, local_date=gap_day, slot=dt.time(2, 30))
    assert reminder.due_at == utc_first_valid and reminder.status == "sent"
    assert sent(patient) == [(gap_day, "02:30")]


@pytest.mark.parametrize(
    ("tz", "slot", "fold_day", "utc_first", "utc_second"),
    [
        ("Europe/Copenhagen", dt.time(2, 30), dt.date(2026, 10, 25),
         dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
        ("America/New_York", dt.time(1, 30), dt.date(2026, 11, 1),
         dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC), dt.datetime(2026, 11, 1, 6, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_fall_back_time_that_happens_twice_goes_once(tz, slot, fold_day, utc_first, utc_second):
    patient = enrolled(tz, start=fold_day - dt.timedelta(days=10), times=[slot])
    replay(utc_first - dt.timedelta(minutes=5), 3 * 60)
    assert reminders.sweep(now=utc_second + dt.timedelta(seconds=30)) == []  # the second 02:30 stores nothing
    reminder = Reminder.objects.get(patient=patient)
    assert (reminder.local_date, reminder.due_at) == (fold_day, utc_first)
    assert Notification.objects.filter(user=patient.user).count() == 1


def test_program_starting_tomorrow_reminds_from_tomorrow():
    patient = enrolled(start=dt.date(2026, 3, 11))
    replay(dt.datetime(2026, 3, 10, 6, 58, tzinfo=UTC), 4)  # 08:00 CET on the 10th
    replay(dt.datetime(2026, 3, 11, 6, 58, tzinfo=UTC), 4)
    assert sent(patient) == [(dt.date(2026, 3, 11), "08:00")]
    assert Reminder.objects.get(patient=patient, local_date=dt.date(2026, 3, 10)).skip_reason == "nothing prescribed"


class TestSkips:
    at_eight = dt.datetime(2026, 3, 10, 7, 0, 30, tzinfo=UTC)  # 08:00:30 in Copenhagen

    def reason(self, patient):
        run(self.at_eight)
        return Reminder.objects.get(patient=patient).skip_reason

    def test_session_already_logged(self):
        patient = enrolled()
        SetLogFactory(program=patient.programs.get(), date=dt.date(2026, 3, 10), session="am")
        assert self.reason(patient) == "session already logged"
        assert not Notification.objects.exists()

    def test_the_other_session_logged_does_not_skip(self):
        patient = enrolled()
        SetLogFactory(program=patient.programs.get(), date=dt.date(2026, 3, 10), session="pm")
        assert self.reason(patient) == ""

    def test_paused(self):
        patient = enrolled()
        ProgramPause.objects.create(program=patient.programs.get(), start_date=dt.date(2026, 3, 9))
        assert self.reason(patient) == "nothing prescribed"

    def test_hsr_rest_day(self):
        patient = enrolled(protocol="hsr", start=dt.date(2026, 3, 2), times=[dt.time(8)])  # Mon/Wed/Fri
        assert self.reason(patient) == "nothing prescribed"  # the 10th is a Tuesday

    def test_red_flag_open(self):
        patient = enrolled()
        Flag.objects.create(patient=patient, kind="red_flag", level="physician", reason="sudden pop")
        assert self.reason(patient) == "red flag open"

    def test_quiet_hours(self, settings):
        settings.REMINDER_QUIET_START, settings.REMINDER_QUIET_END = "22:00", "07:00"
        patient = enrolled(times=[dt.time(6, 30)])
        run(dt.datetime(2026, 3, 10, 5, 31, tzinfo=UTC))
        assert Reminder.objects.get(patient=patient).skip_reason == "quiet hours"

    def test_disabled_or_ended_programs_are_not_even_selected(self):
        off = enrolled()
        off.reminders_enabled = False
        off.save()
        ended = enrolled()
        ended.programs.update(status="completed")
        run(self.at_eight)
        assert not Reminder.objects.exists()


def test_two_sweeps_of_the_same_minute_store_and_send_once():
    patient = enrolled()
    now = dt.datetime(2026, 3, 10, 7, 0, 30, tzinfo=UTC)
    run(now)
    run(now)
    run(now + dt.timedelta(minutes=1))
    assert Reminder.objects.count() == 1 and Notification.objects.filter(user=patient.user).count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_in_threads_send_once():
    patients = [enrolled() for _ in range(20)]
    now = dt.datetime(2026, 3, 10, 7, 0, 30, tzinfo=UTC)
    barrier = threading.Barrier(2)

    def sweep_and_process():
        barrier.wait()
        run(now)
        connection.close()

    threads = [threading.Thread(target=sweep_and_process) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    per_user = Counter(Notification.objects.values_list("user_id", flat=True))
    assert per_user == {p.user_id: 1 for p in patients}


def test_sweep_query_count_does_not_grow_with_patients(django_assert_max_num_queries):
    now = dt.datetime(2026, 3, 10, 7, 0, 30, tzinfo=UTC)
    for _ in range(3):
        enrolled()
    # a fixed number: zones, custom times, defaults per protocol and clinic, maintenance days, the inserts
    with django_assert_max_num_queries(11) as few:
        assert len(reminders.sweep(now=now)) == 3
    Reminder.objects.all().delete()
    for _ in range(40):
        enrolled(times=[dt.time(8)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(reminders.sweep(now=now)) == 43


def test_stuck_queued_reminders_are_picked_up_again():
    patient = enrolled()
    now = dt.datetime(2026, 3, 10, 7, 0, 30, tzinfo=UTC)
    ids = reminders.sweep(now=now)  # stored, but its task was lost
    assert reminders.sweep(now=now + dt.timedelta(minutes=1)) == []  # not yet stale
    assert reminders.sweep(now=now + dt.timedelta(minutes=3)) == ids
    with inline_delivery():
        reminders.process(reminder_ids=ids, now=now + dt.timedelta(minutes=3))
    assert sent(patient) == [(dt.date(2026, 3, 10), "08:00")]


def test_command_rejects_a_now_without_offset():
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", "--now", "2026-03-10T08:00:00")


@pytest.mark.parametrize(
    ("tz", "slot", "start", "expected_due"),
    [
        # Spring forward: 02:30 does not exist; it goes at 03:00 local.
        ("Europe/Copenhagen", dt.time(2, 30), dt.datetime(2026, 3, 29, 0, 50, tzinfo=UTC),
         dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        ("America/New_York", dt.time(2, 30), dt.datetime(2026, 3, 8, 6, 50, tzinfo=UTC),
         dt.datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),
        # Fall back: 02:30 (Copenhagen) and 01:30 (New York) happen twice; the first goes, once.
        ("Europe/Copenhagen", dt.time(2, 30), dt.datetime(2026, 10, 25, 0, 20, tzinfo=UTC),
         dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)),
        ("America/New_York", dt.time(1, 30), dt.datetime(2026, 11, 1, 5, 20, tzinfo=UTC),
         dt.datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
    ],
)  # fmt: skip
def test_dst_days_on_the_clock_with_the_plain_command(time_machine, tz, slot, start, expected_due):
    """The beat-less operator's path: ``send_reminders`` every minute, the clock moved by time-machine."""
    patient = enrolled(tz, start=start.date() - dt.timedelta(days=10), times=[slot])
    for minute in range(0, 150):
        time_machine.move_to(start + dt.timedelta(minutes=minute), tick=False)
        call_command("send_reminders", stdout=StringIO())
    reminder = Reminder.objects.get(patient=patient)
    assert (reminder.due_at, reminder.status) == (expected_due, "sent")
    assert Notification.objects.filter(user=patient.user).count() == 1


@pytest.mark.parametrize(("late_minutes", "reason"), [(59, ""), (60, ""), (61, "too late")])
def test_a_reminder_processed_past_the_catch_up_window_is_skipped(late_minutes, reason):
    patient = enrolled()
    due = dt.datetime(2026, 3, 10, 7, 0, 30, tzinfo=UTC)
    ids = reminders.sweep(now=due)
    with inline_delivery():
        reminders.process(reminder_ids=ids, now=due + dt.timedelta(minutes=late_minutes))
    assert Reminder.objects.get(patient=patient).skip_reason == reason
    assert Notification.objects.filter(user=patient.user).count() == (0 if reason else 1)


@pytest.mark.parametrize(
    ("utc_minute", "found"), [(dt.time(7, 0), True), (dt.time(7, 59), True), (dt.time(8, 0), False)]
)
def test_a_missed_slot_is_found_within_the_catch_up_window_only(utc_minute, found):
    """Copenhagen 08:00 is 07:00 UTC: a sweep in the 60 minutes from then finds it, a later one never."""
    patient = enrolled()
    run(dt.datetime.combine(dt.date(2026, 3, 10), utc_minute, tzinfo=UTC))
    assert sent(patient) == ([(dt.date(2026, 3, 10), "08:00")] if found else [])


@pytest.mark.django_db
def test_the_sweep_finds_every_zone_in_use_once():
    from notifications.reminders import zones_in_use

    from .factories import PatientFactory

    for tz in ["Europe/Copenhagen", "Asia/Kathmandu", "Europe/Copenhagen", "America/New_York", "UTC", "UTC"]:
        PatientFactory(timezone=tz)
    assert zones_in_use() == ["America/New_York", "Asia/Kathmandu", "Europe/Copenhagen", "UTC"]
