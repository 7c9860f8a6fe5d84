"""Set logs partitioned by month on PostgreSQL (docs/api.md "Partitioned set logs"): a month's partition holds
its sets, the client id stays unique across months, the daily task is idempotent, old months archive to CSV only
when their patients are past the retention, and any other database keeps a plain table."""

import datetime as dt
import threading
import time
import uuid
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from exercises import partitions, services
from exercises.models import Program, SetLog
from exercises.tasks import ensure_setlog_partitions

from .factories import PatientFactory, ProgramFactory, SetLogFactory

pytestmark = pytest.mark.services


def where(log_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM exercises_setlog WHERE id = %s", [log_id])
        return cursor.fetchone()[0]


def lookup() -> set[uuid.UUID]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT client_id FROM {partitions.LOOKUP}")
        return {row[0] for row in cursor.fetchall()}


def names() -> set[str]:
    return {p.name for p in partitions.setlog_partitions_list()}


def item(program: Program, day: dt.date, client_id: uuid.UUID, **overrides) -> dict:
    data = {"client_id": client_id, "program": program, "date": day, "exercise": "eccentric_heel_drop_straight"}
    return data | {"reps": 15, "load_kg": 0, "pain": 3, "session": "am", "side": "left"} | overrides


def test_this_month_and_the_months_ahead_exist_and_the_task_creates_nothing_twice(db, settings, time_machine):
    assert connection.vendor == "postgresql" and partitions.is_partitioned()
    today = timezone.now().date()
    month = partitions.month_of(today)
    ahead = [month]
    for _ in range(3):
        ahead.append(partitions.next_month(ahead[-1]))
    assert {partitions.partition_name(m) for m in ahead} | {partitions.DEFAULT} <= names()
    assert "setlog-partitions" in settings.CELERY_BEAT_SCHEDULE

    time_machine.move_to(dt.datetime(2031, 5, 10, 12, tzinfo=dt.UTC), tick=False)
    first = ensure_setlog_partitions.apply().get()
    assert first == [f"exercises_setlog_y2031m{m:02d}" for m in (5, 6, 7, 8)]
    assert ensure_setlog_partitions.apply().get() == []
    assert set(first) <= names()


def test_a_set_lands_in_its_months_partition_and_a_new_month_moves_out_of_the_default(db):
    partitions.setlog_partitions_ensure(today=dt.date(2031, 1, 15), months_ahead=0)
    program = ProgramFactory(start_date=dt.date(2031, 1, 26))
    january = SetLogFactory(program=program, date=dt.date(2031, 1, 31))
    february = SetLogFactory(program=program, date=dt.date(2031, 2, 2))
    assert where(january.id) == "exercises_setlog_y2031m01"
    assert where(february.id) == partitions.DEFAULT  # no partition for February yet: the default holds it

    assert partitions.setlog_partitions_ensure(today=dt.date(2031, 1, 20), months_ahead=0) == [
        "exercises_setlog_y2031m02"  # the month waiting in the default partition
    ]
    assert where(february.id) == "exercises_setlog_y2031m02"
    assert SetLog.objects.get(pk=february.pk).client_id == february.client_id  # the ORM reads it by id as before
    assert lookup() == {january.client_id, february.client_id}  # moving it did not touch the lookup


def test_a_client_id_is_one_set_across_months_in_one_batch_across_batches_and_alone(db):
    partitions.setlog_partitions_ensure(today=dt.date(2031, 1, 15), months_ahead=1)
    program = ProgramFactory(start_date=dt.date(2031, 1, 26))
    patient = program.patient
    cid, other = uuid.uuid4(), uuid.uuid4()
    jan, feb = dt.date(2031, 1, 31), dt.date(2031, 2, 2)

    inside = services.setlog_record_batch(patient=patient, items=[item(program, jan, cid), item(program, feb, cid)])
    assert [o.status for o in inside] == ["created", "conflict"]  # same client id, another date (month)
    across = services.setlog_record_batch(
        patient=patient, items=[item(program, jan, cid), item(program, feb, cid), item(program, feb, other)]
    )
    assert [o.status for o in across] == ["duplicate", "conflict", "created"]
    assert across[0].log.id == inside[0].log.id
    assert services.setlog_record(patient=patient, data=item(program, feb, cid)).status == "conflict"
    assert services.setlog_record(patient=patient, data=item(program, jan, cid)).status == "duplicate"

    assert SetLog.objects.filter(client_id=cid).count() == 1 and SetLog.objects.count() == 2
    assert where(inside[0].log.id) == "exercises_setlog_y2031m01"
    with pytest.raises(IntegrityError), transaction.atomic():  # the database itself, whatever the caller
        SetLogFactory(program=program, date=feb, client_id=cid)


def test_the_lookup_follows_mends_deletes_and_erasure(db):
    partitions.setlog_partitions_ensure(today=dt.date(2031, 1, 15), months_ahead=0)
    program = ProgramFactory(start_date=dt.date(2031, 1, 26))
    logs = [SetLogFactory(program=program, date=dt.date(2031, 1, 26 + i)) for i in range(3)]
    kept = SetLogFactory(program=ProgramFactory(start_date=dt.date(2031, 1, 26)))
    services.setlog_edit(log=logs[0], changes={"pain": 5}, today=logs[0].date)
    assert services.setlog_delete(log=logs[1], today=logs[1].date)
    assert lookup() == {logs[0].client_id, logs[2].client_id, kept.client_id}
    program.patient.delete()  # what the erasure does, through the ORM's cascade
    assert lookup() == {kept.client_id}
    again = SetLogFactory(program=kept.program, client_id=logs[1].client_id)  # a deleted set's client id is free
    assert lookup() == {kept.client_id, again.client_id}


@pytest.mark.django_db(transaction=True)
def test_a_batch_racing_an_uncommitted_set_with_one_of_its_client_ids_answers_it_as_stored():
    program = ProgramFactory(start_date=dt.date.today() - dt.timedelta(days=3))
    day = dt.date.today() - dt.timedelta(days=1)
    shared, fresh = uuid.uuid4(), [uuid.uuid4() for _ in range(3)]
    holding, release, outcomes = threading.Event(), threading.Event(), []

    def first():  # stores the shared client id and holds its transaction open
        with transaction.atomic():
            SetLog.objects.create(**_row(program, day, shared))
            holding.set()
            release.wait(10)
        connection.close()

    def batch():
        holding.wait(10)
        items = [item(program, day, cid) for cid in [*fresh, shared]]
        outcomes.extend(services.setlog_record_batch(patient=program.patient, items=items))
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=batch)]
    for t in threads:
        t.start()
    _wait_for_a_lock_wait()  # the batch's INSERT waits on the held client id
    release.set()
    for t in threads:
        t.join(10)
    assert [o.status for o in outcomes] == ["created", "created", "created", "duplicate"]
    assert SetLog.objects.count() == 4 and SetLog.objects.filter(client_id=shared).count() == 1
    assert lookup() == {shared, *fresh}


def _row(program: Program, day: dt.date, cid: uuid.UUID) -> dict:
    fields = item(program, day, cid)
    return fields | {"patient": program.patient, "week": program.week_on(day)}


def _wait_for_a_lock_wait(deadline: float = 10.0) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
    raise AssertionError("the batch never waited on the held client id")


def test_old_months_archive_to_csv_only_when_their_patients_are_past_the_retention(db, settings, tmp_path):
    settings.SETLOG_RETENTION_DAYS = 365
    partitions.setlog_partitions_ensure(today=dt.date(2020, 1, 15), months_ahead=1)
    done = ProgramFactory(start_date=dt.date(2020, 1, 6), status="completed")
    old = [SetLogFactory(program=done, date=dt.date(2020, 1, 6 + i)) for i in range(3)]
    later = SetLogFactory(program=done, date=dt.date(2020, 2, 3))
    current = ProgramFactory(start_date=dt.date(2020, 1, 6))  # active still
    theirs = SetLogFactory(program=current, date=dt.date(2020, 1, 7))
    archive = tmp_path / "archive"

    with pytest.raises(CommandError, match="1 patient"):
        call_command("setlog_partitions", "--detach-before", "2020-02", "--archive-dir", str(archive))
    assert "exercises_setlog_y2020m01" in names() and not archive.exists()  # nothing changed

    Program.objects.filter(pk=current.pk).update(status="stopped", stopped_on=dt.date(2020, 1, 8))
    call_command("setlog_partitions", "--detach-before", "2020-02", "--archive-dir", str(archive))
    lines = (archive / "exercises_setlog_y2020m01.csv").read_text().splitlines()
    assert lines[0].split(",")[:3] == ["id", "client_id", "date"]
    january = sorted([*old, theirs], key=lambda log: (log.date, log.id))
    assert [line.split(",")[1] for line in lines[1:]] == [str(log.client_id) for log in january]
    assert "exercises_setlog_y2020m01" not in names() and "exercises_setlog_y2020m02" in names()
    assert list(SetLog.objects.values_list("id", flat=True)) == [later.id]
    assert lookup() == {later.client_id}


def test_any_other_database_keeps_a_plain_table():
    from importlib import import_module

    migration = import_module("exercises.migrations.0011_setlog_partitioned_by_month")

    def refuse(*args, **kwargs):
        raise AssertionError("no SQL on a database other than PostgreSQL")

    sqlite = SimpleNamespace(vendor="sqlite", cursor=refuse)
    editor = SimpleNamespace(connection=sqlite, execute=refuse)
    assert migration.partition(None, editor) is None
    assert migration.unpartition(None, editor) is None
    assert partitions.is_partitioned(sqlite) is False


def test_existing_sets_migrate_into_their_months(transactional_db):
    from django.db.migrations.executor import MigrationExecutor

    program = ProgramFactory(start_date=dt.date(2025, 1, 27), patient=PatientFactory())
    logs = [SetLogFactory(program=program, date=day) for day in (dt.date(2025, 1, 30), dt.date(2025, 2, 3))]
    executor = MigrationExecutor(connection)
    executor.migrate([("exercises", "0010_after_week12")])
    try:
        assert not partitions.is_partitioned()
        assert SetLog.objects.count() == 2
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert partitions.is_partitioned()
    assert [where(log.id) for log in logs] == ["exercises_setlog_y2025m01", "exercises_setlog_y2025m02"]
    assert lookup() == {log.client_id for log in logs}
    fresh = SetLogFactory(program=program, date=dt.date(2025, 2, 4))
    assert fresh.id > max(log.id for log in logs)  # the id sequence carried on
