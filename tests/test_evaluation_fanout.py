"""The hourly evaluation fanned out in chunks (notifications/evaluation_runs.py): any worker takes any
chunk, a chunk run twice or two runs that overlap raise no second flag and send nothing twice, and a
run's progress and failures are visible."""

import datetime as dt
import threading

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection

from notifications import escalation, tasks
from notifications.evaluation_runs import (
    evaluation_chunk_ids,
    evaluation_chunk_run,
    evaluation_plan,
    evaluation_progress,
    evaluation_stale_chunk_ids,
)
from notifications.models import EvaluationChunk, EvaluationRun, Flag, Notification
from rehab_tracker.celery import app

from .factories import AdminFactory, PatientFactory, ProgramFactory
from .waiting import TaskLedger, wait_for

NOW = dt.datetime(2026, 3, 20, 12, 0, tzinfo=dt.UTC)
START = dt.date(2026, 3, 2)  # no set logged since: every patient's 7-day adherence is 0 (a flag each)


def lapsing(n: int) -> list[int]:
    return [ProgramFactory(patient=PatientFactory(timezone="UTC"), start_date=START).patient_id for _ in range(n)]


def counts() -> tuple[int, int]:
    return Flag.objects.count(), Notification.objects.count()


@pytest.fixture
def at_noon(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.mark.django_db
class TestChunks:
    def test_a_run_splits_everyone_concerned_into_chunks_of_the_set_size(self, at_noon, settings):
        settings.EVALUATION_CHUNK_SIZE = 3
        ids = lapsing(7)
        run = evaluation_plan()
        chunks = list(run.chunks.order_by("index"))
        assert [c.patient_ids for c in chunks] == [ids[0:3], ids[3:6], ids[6:7]]
        assert (run.chunks_total, run.patients_total, run.finished_at) == (3, 7, None)

    def test_chunks_add_up_to_the_run_and_the_last_one_finishes_it(self, at_noon):
        ids = lapsing(5)
        run = evaluation_plan(chunk_size=2)
        assert [evaluation_chunk_run(chunk_id=c) for c in evaluation_chunk_ids(run=run)] == ["done"] * 3
        run.refresh_from_db()
        assert (run.chunks_done, run.patients_evaluated, run.failures) == (3, 5, 0)
        assert run.flags_raised == 5 and run.finished_at == NOW
        assert set(Flag.objects.values_list("patient_id", flat=True)) == set(ids)

    def test_a_chunk_run_twice_changes_nothing_the_second_time(self, at_noon):
        lapsing(3)
        run = evaluation_plan(chunk_size=10)
        [chunk_id] = evaluation_chunk_ids(run=run)
        assert evaluation_chunk_run(chunk_id=chunk_id, task_id="t1") == "done"
        before = counts()
        assert evaluation_chunk_run(chunk_id=chunk_id, task_id="t1") == "skipped"  # done: nothing to redo
        assert evaluation_chunk_run(chunk_id=chunk_id, task_id="t2") == "skipped"
        run.refresh_from_db()
        assert counts() == before and run.chunks_done == 1 and run.patients_evaluated == 3

    def test_a_chunk_another_worker_holds_is_left_to_it_until_its_claim_goes_stale(self, at_noon, settings):
        lapsing(2)
        [chunk_id] = evaluation_chunk_ids(run=evaluation_plan())
        EvaluationChunk.objects.filter(id=chunk_id).update(status="running", task_id="theirs", claimed_at=NOW)
        assert evaluation_chunk_run(chunk_id=chunk_id, task_id="mine") == "skipped"
        assert Flag.objects.count() == 0
        # the same message redelivered after its worker died carries the claim's task id: it may go on
        assert evaluation_chunk_run(chunk_id=chunk_id, task_id="theirs") == "done"
        assert Flag.objects.count() == 2

    def test_a_stale_claim_is_taken_over_and_queued_again_by_the_next_tick(self, at_noon, settings, time_machine):
        lapsing(2)
        [chunk_id] = evaluation_chunk_ids(run=evaluation_plan())
        EvaluationChunk.objects.filter(id=chunk_id).update(status="running", task_id="gone", claimed_at=NOW, attempts=1)
        assert evaluation_stale_chunk_ids() == []
        time_machine.move_to(NOW + dt.timedelta(seconds=settings.EVALUATION_CHUNK_STALE_SECONDS + 1), tick=False)
        assert evaluation_stale_chunk_ids() == [chunk_id]
        assert evaluation_chunk_run(chunk_id=chunk_id, task_id="new") == "done"
        assert EvaluationChunk.objects.get(id=chunk_id).attempts == 2
        assert evaluation_stale_chunk_ids() == []

    def test_two_runs_that_overlap_raise_each_flag_once_and_notify_once(self, at_noon):
        lapsing(4)
        first, second = evaluation_plan(chunk_size=3), evaluation_plan(chunk_size=2)
        for chunk_id in evaluation_chunk_ids(run=first):
            evaluation_chunk_run(chunk_id=chunk_id)
        once = counts()
        for chunk_id in evaluation_chunk_ids(run=second):
            evaluation_chunk_run(chunk_id=chunk_id)
        assert counts() == once and once[0] == 4

    def test_a_patient_whose_evaluation_fails_is_counted_by_id_and_shown_on_the_dashboard(
        self, at_noon, client, monkeypatch
    ):
        broken, *fine = lapsing(3)
        real = escalation._evaluate

        def failing_for_broken(now, patient_ids):
            if broken in patient_ids:
                raise ValueError("a bad row")
            return real(now, patient_ids)

        monkeypatch.setattr(escalation, "_evaluate", failing_for_broken)
        run = evaluation_plan(chunk_size=2)
        for chunk_id in evaluation_chunk_ids(run=run):
            assert evaluation_chunk_run(chunk_id=chunk_id) == "done"
        run.refresh_from_db()
        progress = evaluation_progress(run=run)
        assert progress["failed_patient_ids"] == [broken] and run.failures == 1
        assert (progress["patients_evaluated"], progress["chunks_done"]) == (2, 2)
        assert set(Flag.objects.values_list("patient_id", flat=True)) == set(fine)
        client.force_login(AdminFactory(is_staff=True, is_superuser=True))
        page = client.get("/admin/dashboard/").content.decode()
        assert "Evaluation runs" in page and f"<td>{broken}</td>" in page and "2 of 3" in page

    def test_a_chunk_reads_a_fixed_number_of_queries_whatever_its_size(self, at_noon, django_assert_max_num_queries):
        lapsing(2)
        [chunk_id] = evaluation_chunk_ids(run=evaluation_plan(chunk_size=50))
        with django_assert_max_num_queries(60) as few:
            evaluation_chunk_run(chunk_id=chunk_id)
        Flag.objects.all().delete()
        Notification.objects.all().delete()
        lapsing(20)
        [chunk_id] = evaluation_chunk_ids(run=evaluation_plan(chunk_size=50))
        with django_assert_max_num_queries(len(few.captured_queries)):
            evaluation_chunk_run(chunk_id=chunk_id)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_overlapping_runs_raise_each_flag_once(at_noon):
    """Two threads (two database connections) take chunks of two runs over the same patients at once."""
    ids = lapsing(6)
    runs = [evaluation_plan(chunk_size=3), evaluation_plan(chunk_size=2)]
    work = [evaluation_chunk_ids(run=run) for run in runs]
    start = threading.Barrier(2)
    errors = []

    def worker(chunk_ids):
        try:
            start.wait(timeout=10)
            for chunk_id in chunk_ids:
                evaluation_chunk_run(chunk_id=chunk_id)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(chunk_ids,)) for chunk_ids in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(Flag.objects.values_list("patient_id", flat=True)) == sorted(ids)
    keys = list(Notification.objects.values_list("dedupe_key", flat=True))
    assert len(keys) == len(set(keys)) and len(keys) >= len(ids)
    assert all(run.finished_at is not None for run in EvaluationRun.objects.all())


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_periodic_task_fans_out_to_real_workers_on_the_evaluation_queue(settings, time_machine):
    """beat's task plans the run; two workers on the evaluation queue share its chunks, one delivered twice."""
    time_machine.move_to(NOW, tick=True)
    settings.EVALUATION_CHUNK_SIZE = 2
    ids = lapsing(5)
    app.control.purge()
    ledger = TaskLedger()
    # generous deadlines: a busy machine may take long; the test waits on conditions, never on the clock
    common = {"pool": "solo", "perform_ping_check": False, "loglevel": "WARNING", "shutdown_timeout": 120}
    queues = [settings.CELERY_TASK_DEFAULT_QUEUE, settings.CELERY_EVALUATION_QUEUE]
    try:
        with (
            start_worker(app, queues=queues, hostname="one@test", **common),
            start_worker(app, queues=[settings.CELERY_EVALUATION_QUEUE], hostname="two@test", **common),
        ):
            tasks.evaluate_patients.delay()
            assert wait_for(lambda: EvaluationRun.objects.filter(finished_at__isnull=False).exists(), 120)
            run = EvaluationRun.objects.get()
            tasks.evaluate_chunk.apply_async((evaluation_chunk_ids(run=run)[0],), queue="evaluation")  # again
            assert wait_for(ledger.idle, 120)
    finally:
        ledger.close()
    run.refresh_from_db()
    assert (run.chunks_total, run.chunks_done, run.patients_evaluated) == (3, 3, 5)
    assert ledger.finished["notifications.tasks.evaluate_chunk"] == 4
    assert sorted(Flag.objects.values_list("patient_id", flat=True)) == sorted(ids)
