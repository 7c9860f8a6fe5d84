"""VISA-A as published (docs/clinical.md §6) and the end-of-program review (§1, §9)."""

import datetime as dt

import pytest

from notifications.escalation import evaluate
from notifications.models import Flag, Notification, OutcomeReview
from patients.models import VisaA

from .factories import PatientFactory, ProgramFactory, visa_answers

UTC = dt.UTC
pytestmark = pytest.mark.django_db
START = dt.date(2025, 12, 15)  # ends 2026-03-08; the last 14 days start 2026-02-23
END = dt.date(2026, 3, 8)


def visa(patient, day, score):
    VisaA.objects.create(patient=patient, date=day, answers=visa_answers(score))


def post(api, patient, answers, **extra):
    return api(patient.user).post("/api/v1/visa-a/", {"answers": answers, **extra}, format="json")


BASE = [5, 5, 5, 5, 5, 5, 4]  # items 1–7: 34


class TestItemEight:
    @pytest.mark.parametrize(
        ("branch", "value", "score"),
        [("A", 30, 64), ("A", 21, 55), ("B", 20, 54), ("B", 4, 38), ("C", 10, 44), ("C", 2, 36), ("C", 0, 34)],
    )
    def test_each_branch_scores_as_published(self, api, patient, branch, value, score):
        response = post(api, patient, [*BASE, value], item8_branch=branch)
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["score"] == score and body["item8_branch"] == branch
        assert body["answers"] == [*BASE, value] and all(type(a) is int for a in body["answers"])
        assert VisaA.objects.get().item8_branch == branch

    @pytest.mark.parametrize(
        ("value", "branch"), [(13, None), (13, "A"), (30, "B"), (20, "C"), (7, "B"), (31, None), (1, None)]
    )
    def test_any_other_item_eight_value_is_a_400(self, api, patient, value, branch):
        extra = {"item8_branch": branch} if branch else {}
        response = post(api, patient, [*BASE, value], **extra)
        assert response.status_code == 400 and "answers" in response.json()
        assert not VisaA.objects.exists()

    @pytest.mark.parametrize("bad", [True, 1.5, "3", None, 2.0])
    def test_answers_are_json_integers(self, api, patient, bad):
        response = post(api, patient, [bad, *BASE[1:], 0])
        assert response.status_code == 400 and not VisaA.objects.exists()

    @pytest.mark.parametrize(("value", "stored"), [(30, "A"), (20, "B"), (2, "C"), (14, None), (0, None)])
    def test_without_a_branch_the_value_must_fit_one_and_an_unambiguous_one_is_stored(
        self, api, patient, value, stored
    ):
        response = post(api, patient, [*BASE, value])
        assert response.status_code == 201 and response.json()["item8_branch"] == stored


def evaluate_at(day: dt.date, hour: int = 12):
    return evaluate(now=dt.datetime.combine(day, dt.time(hour), tzinfo=UTC))


@pytest.fixture
def program(db):
    return ProgramFactory(start_date=START, patient=PatientFactory(timezone="UTC"))


def review_flags():
    return list(Flag.objects.filter(kind="treatment_review"))


class TestBaselineAndOutcomeWindows:
    @pytest.mark.parametrize(
        ("baseline_day", "counted"),
        [(START - dt.timedelta(days=15), False), (START - dt.timedelta(days=14), True),
         (START + dt.timedelta(days=13), True), (START + dt.timedelta(days=14), False)],
    )  # fmt: skip
    def test_the_baseline_is_dated_from_14_days_before_the_start_to_day_14(self, program, baseline_day, counted):
        visa(program.patient, baseline_day, 50)
        visa(program.patient, END, 85)  # +35 from a counted baseline, else judged on the score alone (≥ 80)
        evaluate_at(END + dt.timedelta(days=1))
        review = OutcomeReview.objects.get(program=program)
        assert review.baseline == (50 if counted else None) and review.outcome == 85
        assert not review_flags()

    def test_an_earlier_episode_never_serves_as_baseline(self, program):
        """A score from a year before hides a real gain of 7 points: it must not be the baseline."""
        visa(program.patient, START - dt.timedelta(days=365), 60)
        visa(program.patient, START, 78)
        visa(program.patient, END, 85)
        evaluate_at(END + dt.timedelta(days=1))
        assert OutcomeReview.objects.get().baseline == 78
        [flag] = review_flags()
        assert "VISA-A 78 → 85 (+7 points" in flag.reason

    @pytest.mark.parametrize(
        ("outcome_day", "judged"),
        [(END - dt.timedelta(days=14), False), (END - dt.timedelta(days=13), True),
         (END + dt.timedelta(days=7), True), (END + dt.timedelta(days=8), False)],
    )  # fmt: skip
    def test_the_outcome_is_dated_from_the_last_14_days_to_7_days_after(self, program, outcome_day, judged):
        visa(program.patient, START, 50)
        visa(program.patient, outcome_day, 55)
        evaluate_at(max(outcome_day, END) + dt.timedelta(days=1))
        assert OutcomeReview.objects.filter(program=program).exists() is judged
        assert bool(review_flags()) is judged


class TestReview:
    @pytest.mark.parametrize(("outcome", "flagged"), [(79, True), (80, False), (81, False)])
    def test_a_score_below_80_alone_asks_for_review(self, program, outcome, flagged):
        """Gain ≥ 10 every time: only the final score decides."""
        visa(program.patient, START, 60)
        visa(program.patient, END, outcome)
        evaluate_at(END + dt.timedelta(days=1))
        assert bool(review_flags()) is flagged
        if flagged:
            reason = review_flags()[0].reason
            assert "a final score below 80" in reason and "improvement below" not in reason

    def test_the_review_text_follows_clinical_1(self, program):
        visa(program.patient, START, 60)
        visa(program.patient, END, 65)
        evaluate_at(END + dt.timedelta(days=1))
        reason = review_flags()[0].reason
        assert "mid-portion" in reason and "fat pad" in reason and "never into the tendon" in reason
        assert "Adherence over the program: 0%" in reason and "supervised repeat" in reason
        assert "de Vos et al., JAMA 2010;303:144" in reason and "Kearney et al., JAMA 2021;326:137" in reason
        assert "Shockwave therapy (ESWT)" in reason and "Martin et al." in reason
        assert "Tenex" in reason and "clinical.md" not in reason.lower() and "Rompe" not in reason

    def test_the_insertional_review_names_the_bursa_and_rompe(self, db):
        program = ProgramFactory(
            start_date=START, protocol="alfredson_insertional",
            patient=PatientFactory(timezone="UTC", tendinopathy="insertional"),
        )  # fmt: skip
        visa(program.patient, START, 60)
        visa(program.patient, END, 65)
        evaluate_at(END + dt.timedelta(days=1))
        reason = review_flags()[0].reason
        assert "insertional" in reason and "retrocalcaneal bursa" in reason and "Rompe et al." in reason

    def test_an_outcome_already_judged_is_not_judged_again(self, program, physician):
        visa(program.patient, START, 60)
        visa(program.patient, END, 65)
        evaluate_at(END + dt.timedelta(days=1))
        flag = review_flags()[0]
        Flag.objects.filter(pk=flag.pk).update(status="resolved", resolved_at=flag.created_at)
        visa(program.patient, END + dt.timedelta(days=3), 66)  # a later outcome score in the window
        for later in (2, 4, 6):
            evaluate_at(END + dt.timedelta(days=later))
        assert len(review_flags()) == 1 and OutcomeReview.objects.count() == 1

    def test_judging_the_same_program_twice_raises_nothing_new(self, program):
        from notifications.escalation import _review

        _review(program, 60, 65)
        Flag.objects.update(status="resolved", resolved_at=dt.datetime(2026, 3, 9, tzinfo=UTC), note="Seen.")
        _review(program, 60, 64)
        assert len(review_flags()) == 1 and OutcomeReview.objects.get().outcome == 65

    def test_a_visa_a_after_the_missing_outcome_flag_is_still_reviewed(self, program):
        visa(program.patient, START, 60)
        evaluate_at(END + dt.timedelta(days=7))
        assert Flag.objects.get().kind == "missing_outcome"
        visa(program.patient, END + dt.timedelta(days=7), 62)
        evaluate_at(END + dt.timedelta(days=8))
        assert OutcomeReview.objects.get().outcome == 62 and len(review_flags()) == 1


class TestAsking:
    """The patient is asked on day 1, in week 6 and at the start of the last 14 days."""

    def asks(self, program):
        keys = Notification.objects.filter(user=program.patient.user, dedupe_key__startswith="visa-a-request")
        return sorted(k.split(":")[-1] for k in keys.values_list("dedupe_key", flat=True))

    @pytest.mark.parametrize(
        ("day", "asked"),
        [(0, ["baseline"]), (13, ["baseline"]), (34, []), (35, ["mid"]), (69, []), (70, ["outcome"])],
    )
    def test_each_stage_is_asked_on_its_first_day(self, db, day, asked):
        start = dt.date(2026, 1, 5)
        program = ProgramFactory(start_date=start, patient=PatientFactory(timezone="UTC"))
        if day >= 35:  # the earlier stages were answered
            visa(program.patient, start, 50)
        if day >= 70:
            visa(program.patient, start + dt.timedelta(days=36), 60)
        evaluate_at(start + dt.timedelta(days=day))
        assert self.asks(program) == asked
        evaluate_at(start + dt.timedelta(days=day), hour=13)
        assert self.asks(program) == asked  # once

    def test_today_says_which_questionnaire_is_due(self, api, time_machine):
        start = dt.date(2026, 1, 5)
        program = ProgramFactory(start_date=start, patient=PatientFactory(timezone="UTC"))
        time_machine.move_to(dt.datetime(2026, 1, 5, 9, tzinfo=UTC), tick=False)
        client = api(program.patient.user)
        assert client.get("/api/v1/today/").json()["visa_a_due"] == "baseline"
        assert post(api, program.patient, [*BASE, 30], item8_branch="A").status_code == 201
        assert client.get("/api/v1/today/").json()["visa_a_due"] is None
