"""Remote therapeutic monitoring: the period arithmetic, the codes a scenario reaches, patient-local days across
a DST change, the time log, the CSV for the billing office, scope and audit, and turning RTM off."""

import csv
import datetime as dt
import io

import pytest
import time_machine

from messaging import rtm
from messaging.models import TimeEntry
from patients.models import AccessDay, AuditEvent, CheckIn

from .factories import (
    AdminFactory,
    ClinicFactory,
    PatientFactory,
    PhysicianFactory,
    PhysioFactory,
    ProgramFactory,
    SetLogFactory,
)

D = dt.date
APRIL_10 = dt.datetime(2026, 4, 10, 9, 0, tzinfo=dt.UTC)


class TestPeriodArithmetic:
    def test_periods_are_30_days_from_the_first_data_day(self):
        assert rtm.period_containing(D(2026, 3, 2), D(2026, 3, 31)) == rtm.Period(D(2026, 3, 2), D(2026, 3, 31))
        assert rtm.period_containing(D(2026, 3, 2), D(2026, 4, 1)) == rtm.Period(D(2026, 4, 1), D(2026, 4, 30))
        # across the spring DST change (29 March in Europe): still 30 calendar days
        assert rtm.period_containing(D(2026, 3, 15), D(2026, 4, 13)).end == D(2026, 4, 13)

    def test_a_month_shows_the_periods_overlapping_it_and_bills_those_ending_in_it(self):
        march = rtm.month_bounds("2026-03")
        periods = rtm.periods_in_month(D(2026, 2, 20), *march)
        assert periods == [rtm.Period(D(2026, 2, 20), D(2026, 3, 21)), rtm.Period(D(2026, 3, 22), D(2026, 4, 20))]
        assert [rtm.ends_in(p, *march) for p in periods] == [True, False]
        assert rtm.periods_in_month(D(2026, 4, 2), *march) == []  # monitoring began later

    def test_month_bounds_know_february_and_december(self):
        assert rtm.month_bounds("2028-02") == (D(2028, 2, 1), D(2028, 2, 29))
        assert rtm.month_bounds("2026-12") == (D(2026, 12, 1), D(2026, 12, 31))
        with pytest.raises(ValueError):
            rtm.month_bounds("2026-3")

    def test_device_codes_by_data_days(self):
        assert [rtm.device_code(n) for n in (0, 1, 2, 15, 16, 30)] == [
            None, None, "98985", "98985", "98977", "98977",
        ]  # fmt: skip

    def test_the_period_reaches_98977_on_its_16th_data_day(self):
        period = rtm.Period(D(2026, 3, 2), D(2026, 3, 31))
        days = [D(2026, 3, 2) + dt.timedelta(days=2 * n) for n in range(15)]  # every other day: 15 days
        assert rtm.nth_data_day(days, period, 16) is None
        assert rtm.nth_data_day([*days, D(2026, 3, 31), D(2026, 4, 1)], period, 16) == D(2026, 3, 31)

    def test_management_codes_need_minutes_and_an_interactive_communication(self):
        codes = rtm.management_codes
        assert codes(9, True) == [] and codes(60, False) == []
        assert codes(10, True) == codes(19, True) == [{"code": "98979", "units": 1}]
        assert codes(20, True) == codes(39, True) == [{"code": "98980", "units": 1}]
        assert codes(60, True) == [{"code": "98980", "units": 1}, {"code": "98981", "units": 2}]

    def test_the_rules_carry_their_source(self):
        assert {r.code for r in rtm.RULES} == {"98975", "98977", "98979", "98980", "98981", "98985"}
        assert all("CPT 2026" in r.source for r in rtm.RULES)


def log_days(patient, days):
    program = ProgramFactory(patient=patient, start_date=D(2026, 3, 2))
    for day in days:
        SetLogFactory(program=program, date=day)


def entry(api, user, patient, minutes, activity, started_at):
    return api(user).post(
        "/api/v1/time-entries/",
        {"patient": patient.id, "minutes": minutes, "activity": activity, "started_at": started_at.isoformat()},
        format="json",
    )


@pytest.mark.django_db
class TestReport:
    @pytest.fixture(autouse=True)
    def _april(self, time_machine):
        time_machine.move_to(APRIL_10, tick=False)

    def test_a_scenario_reaches_98977_98975_98980_and_98981(self, api, patient):
        march = [D(2026, 3, 2) + dt.timedelta(days=n) for n in range(0, 30, 2)]  # 15 days of sets
        log_days(patient, march)
        CheckIn.objects.create(patient=patient, date=D(2026, 3, 31), morning_pain=2, morning_stiffness_minutes=5)
        utc = dt.UTC
        assert (
            entry(api, patient.physio, patient, 15, "setup", dt.datetime(2026, 3, 2, 9, tzinfo=utc)).status_code == 201
        )
        entry(api, patient.physio, patient, 25, "review", dt.datetime(2026, 3, 20, 9, tzinfo=utc))
        entry(api, patient.physio, patient, 10, "call", dt.datetime(2026, 3, 20, 10, tzinfo=utc))
        report = api(patient.physio).get(f"/api/v1/patients/{patient.id}/rtm/?month=2026-03").json()
        [row] = report["patients"]
        [period] = row["periods"]
        assert (period["start"], period["end"], period["data_days"]) == ("2026-03-02", "2026-03-31", 16)
        assert (period["device_code"], period["reached_16_on"], period["billed_in_month"]) == (
            "98977", "2026-03-31", True,
        )  # fmt: skip
        assert row["setup_code"] == "98975" and row["management_minutes"] == 50
        assert row["interactive_communication"] is True
        assert row["management_codes"] == [{"code": "98980", "units": 1}, {"code": "98981", "units": 1}]
        assert AuditEvent.objects.filter(user=patient.physio, patient_id=patient.id, action="read").exists()

    def test_without_an_interactive_communication_minutes_reach_no_code(self, api, patient):
        log_days(patient, [D(2026, 3, 2), D(2026, 3, 3)])
        entry(api, patient.physio, patient, 45, "review", dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC))
        [row] = api(patient.physio).get(f"/api/v1/patients/{patient.id}/rtm/?month=2026-03").json()["patients"]
        assert row["periods"][0]["device_code"] == "98985" and row["management_codes"] == []

    def test_time_and_messages_count_in_the_patients_local_month_across_dst(self, api, patient):
        log_days(patient, [D(2026, 3, 2), D(2026, 3, 3)])
        # 31 March 22:30 UTC is 1 April 00:30 in Copenhagen (summer time since 29 March: UTC+2)
        late = dt.datetime(2026, 3, 31, 22, 30, tzinfo=dt.UTC)
        assert entry(api, patient.physio, patient, 20, "review", late).json()["date"] == "2026-04-01"
        with time_machine.travel(late, tick=False):  # a message exchange just after local midnight: April's
            api(patient.user).post("/api/v1/messages/", {"body": "Sore today"}, format="json")
            api(patient.physio).post("/api/v1/messages/", {"body": "Ease off", "patient": patient.id}, format="json")
        # 29 March 22:30 UTC is 30 March 00:30 CEST (at UTC+1 it would still be the 29th)
        assert entry(api, patient.physio, patient, 5, "review", late - dt.timedelta(days=2)).json()["date"] == (
            "2026-03-30"
        )
        march = api(patient.physio).get(f"/api/v1/patients/{patient.id}/rtm/?month=2026-03").json()["patients"][0]
        april = api(patient.physio).get(f"/api/v1/patients/{patient.id}/rtm/?month=2026-04").json()["patients"][0]
        assert (march["management_minutes"], march["interactive_communication"]) == (5, False)
        assert (april["management_minutes"], april["interactive_communication"]) == (20, True)
        assert april["management_codes"] == [{"code": "98980", "units": 1}]

    def test_a_message_exchange_marks_the_month_interactive(self, api, patient):
        with time_machine.travel(dt.datetime(2026, 4, 7, 9, tzinfo=dt.UTC), tick=False):
            api(patient.user).post("/api/v1/messages/", {"body": "Sore today"}, format="json")
            physio_only = api(patient.physio).get(f"/api/v1/patients/{patient.id}/rtm/?month=2026-04").json()
            api(patient.physio).post("/api/v1/messages/", {"body": "Ease off", "patient": patient.id}, format="json")
        both = api(patient.physio).get(f"/api/v1/patients/{patient.id}/rtm/?month=2026-04").json()
        assert physio_only["patients"][0]["interactive_communication"] is False
        assert both["patients"][0]["interactive_communication"] is True

    def test_the_access_rule_counts_the_days_the_app_was_opened(self, api, patient, settings):
        log_days(patient, [D(2026, 4, 1)])
        for day in (2, 3):
            with time_machine.travel(dt.datetime(2026, 4, day, 9, tzinfo=dt.UTC), tick=False):
                api(patient.user).get("/api/v1/me/")
        assert AccessDay.objects.filter(patient=patient).count() == 2
        url = f"/api/v1/patients/{patient.id}/rtm/?month=2026-04"
        assert api(patient.physio).get(url).json()["patients"][0]["periods"][0]["data_days"] == 1
        settings.RTM_DATA_DAY = "access"
        report = api(patient.physio).get(url).json()
        assert report["data_day_rule"] == "access" and report["patients"][0]["periods"][0]["data_days"] == 3

    def test_the_clinic_csv_has_one_line_per_billable_code(self, api, physio, physician):
        patient = PatientFactory(physio=physio, physician=physician)
        log_days(patient, [D(2026, 3, 2) + dt.timedelta(days=n) for n in range(16)])
        entry(api, physio, patient, 20, "call", dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC))
        PatientFactory(physio=physio, physician=physician)  # no data: no line
        PatientFactory()  # another physio's: not in this report
        response = api(physio).get("/api/v1/rtm/?month=2026-03&format=csv")
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert [(int(r["patient"]), r["code"], r["units"]) for r in rows] == [
            (patient.id, "98977", "1"), (patient.id, "98980", "1"),
        ]  # fmt: skip
        report = api(physio).get("/api/v1/rtm/?month=2026-03").json()
        assert len(report["patients"]) == 2

    def test_scope_roles_and_bad_input(self, api, patient):
        assert api(PhysioFactory()).get(f"/api/v1/patients/{patient.id}/rtm/").status_code == 404
        assert api(patient.physician).get("/api/v1/rtm/").status_code == 403
        assert api(patient.user).get("/api/v1/rtm/").status_code == 403
        assert api(patient.physio).get("/api/v1/rtm/?month=2026-13").status_code == 400
        assert api(patient.physio).get("/api/v1/rtm/?format=xml").status_code == 400
        assert entry(api, PhysioFactory(), patient, 10, "call", APRIL_10).status_code == 404
        assert entry(api, patient.physio, patient, 0, "call", APRIL_10).status_code == 400
        assert entry(api, patient.physio, patient, 10, "call", APRIL_10 + dt.timedelta(hours=1)).status_code == 400
        assert not TimeEntry.objects.exists()

    def test_the_clinic_report_takes_the_same_queries_for_any_number_of_patients(
        self, api, physio, physician, django_assert_max_num_queries
    ):
        def queries():
            with django_assert_max_num_queries(20) as report:
                assert api(physio).get("/api/v1/rtm/?month=2026-03").status_code == 200
            return len(report.captured_queries)

        def patient_with_data():
            patient = PatientFactory(physio=physio, physician=physician)
            log_days(patient, [D(2026, 3, 2), D(2026, 3, 3)])
            entry(api, physio, patient, 20, "call", dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC))

        patient_with_data()
        few = queries()
        for _ in range(4):
            patient_with_data()
        assert queries() == few

    def test_the_app_opened_counts_a_day_where_the_patients_clinic_has_rtm_on(self, api, settings):
        settings.RTM_ENABLED = False  # off for the install, on for one clinic
        on = PatientFactory(clinic=ClinicFactory(settings={"RTM_ENABLED": True}))
        off = PatientFactory()
        for patient in (on, off):
            api(patient.user).get("/api/v1/me/")
        assert list(AccessDay.objects.values_list("patient", flat=True)) == [on.id]

    def test_a_clinic_turns_rtm_off(self, api, patient, settings):
        settings.RTM_ENABLED = False
        report = api(patient.physio).get("/api/v1/rtm/").json()
        assert (report["enabled"], report["patients"]) == (False, [])

    def test_an_admin_of_several_clinics_sees_each_patient_under_their_clinics_rules(self, api):
        """RTM off in one clinic (its patients left out); data days by app access in another."""
        activity, access = ClinicFactory(), ClinicFactory(settings={"RTM_DATA_DAY": "access"})
        off = ClinicFactory(settings={"RTM_ENABLED": False})
        admin = AdminFactory(clinics=[activity, access, off])
        rows = {}
        for clinic in (activity, access, off):
            patient = PatientFactory(clinic=clinic, physio=PhysioFactory(clinics=[clinic]),
                                     physician=PhysicianFactory(clinics=[clinic]))  # fmt: skip
            log_days(patient, [D(2026, 4, 1)])
            for day in (2, 3):  # the app opened on two more days
                AccessDay.objects.create(patient=patient, date=D(2026, 4, day))
            rows[clinic.id] = patient.id
        report = api(admin).get("/api/v1/rtm/?month=2026-04").json()
        counted = {r["patient"]: (r["periods"][0]["data_days"], r["data_day_rule"]) for r in report["patients"]}
        assert counted == {rows[activity.id]: (1, "activity"), rows[access.id]: (3, "access")}
