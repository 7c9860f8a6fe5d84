"""The hourly evaluation fanned out: a run split into chunks of patient ids that any worker takes.

One task for everyone grows with the caseload (about 16 minutes for 1,000,000 patients on one worker)
and no added worker helps. So the periodic task only plans: it stores a run and its chunks (ids in the
database, never in a far-future message) and queues one small task per chunk on the ``evaluation``
queue. Any worker on any host takes them.

Exactly-once where it matters, at-least-once everywhere else:

- A chunk is claimed with a conditional UPDATE (pending → running). A second delivery of the same message
  while it runs changes no row and does nothing. A message redelivered after its worker died carries the
  same Celery task id as the claim, so it may take the chunk again; so may anyone once a claim is older
  than ``EVALUATION_CHUNK_STALE_SECONDS``.
- The evaluation itself is idempotent (``notifications.escalation``): one unresolved flag per patient and
  kind (a partial unique constraint), notifications deduplicated by key, one report per red-flag
  check-in. Two runs that overlap, or a chunk run twice, raise no second flag and send nothing twice.
- A chunk's figures are added to its run in the same transaction that marks the chunk done, so they are
  counted once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .escalation import evaluate_reporting, evaluation_concerned
from .models import ChunkStatus, EvaluationChunk, EvaluationRun

log = logging.getLogger(__name__)


def evaluation_plan(*, now: dt.datetime | None = None, chunk_size: int | None = None) -> EvaluationRun:
    """A run over everyone the ladder concerns now, stored as chunks of ``EVALUATION_CHUNK_SIZE`` ids."""
    now = now or timezone.now()
    size = chunk_size or settings.EVALUATION_CHUNK_SIZE
    ids = evaluation_concerned(now)
    slices = [ids[start : start + size] for start in range(0, len(ids), size)]
    with transaction.atomic():
        run = EvaluationRun.objects.create(
            started_at=now, chunk_size=size, chunks_total=len(slices), patients_total=len(ids),
            finished_at=now if not slices else None,
        )  # fmt: skip
        EvaluationChunk.objects.bulk_create(
            EvaluationChunk(run=run, index=n, patient_ids=part) for n, part in enumerate(slices)
        )
    log.info("evaluation run %s: %s patients in %s chunks", run.id, len(ids), len(slices))
    return run


def evaluation_chunk_ids(*, run: EvaluationRun) -> list[int]:
    return list(run.chunks.order_by("index").values_list("id", flat=True))


def _claim(chunk_id: int, task_id: str, now: dt.datetime) -> bool:
    stale = now - dt.timedelta(seconds=settings.EVALUATION_CHUNK_STALE_SECONDS)
    claimable = Q(status=ChunkStatus.PENDING) | Q(status=ChunkStatus.RUNNING, claimed_at__lt=stale)
    if task_id:  # the same message again after its worker died (acks_late): the claim is its own
        claimable |= Q(status=ChunkStatus.RUNNING, task_id=task_id)
    claimed = EvaluationChunk.objects.filter(claimable, id=chunk_id).update(
        status=ChunkStatus.RUNNING, task_id=task_id, claimed_at=now, attempts=F("attempts") + 1
    )
    return claimed == 1


def evaluation_chunk_run(*, chunk_id: int, task_id: str = "", now: dt.datetime | None = None) -> str:
    """Evaluate one chunk: ``done``, or ``skipped`` when it is done already or another worker holds it."""
    claimed_at = timezone.now()
    if not _claim(chunk_id, task_id, claimed_at):
        return "skipped"
    chunk = EvaluationChunk.objects.get(id=chunk_id)
    ids = list(chunk.patient_ids)
    try:
        totals, failed = evaluate_reporting(now=now, patient_ids=ids)
    except Exception:  # a chunk of one patient whose evaluation fails
        log.exception("evaluation failed for patient %s", ids[0] if ids else None)
        totals, failed = {"flags_raised": 0}, ids
    with transaction.atomic():
        finished = EvaluationChunk.objects.filter(id=chunk_id, status=ChunkStatus.RUNNING, claimed_at=claimed_at)
        if not finished.update(
            status=ChunkStatus.DONE, finished_at=timezone.now(), evaluated=len(ids) - len(failed),
            flags_raised=totals["flags_raised"], failed_patient_ids=failed,
        ):  # fmt: skip
            return "skipped"  # a stale claim was taken over meanwhile: the newer claim counts its figures
        EvaluationRun.objects.filter(id=chunk.run_id).update(
            chunks_done=F("chunks_done") + 1,
            patients_evaluated=F("patients_evaluated") + len(ids) - len(failed),
            flags_raised=F("flags_raised") + totals["flags_raised"],
            failures=F("failures") + len(failed),
        )
        EvaluationRun.objects.filter(id=chunk.run_id, finished_at__isnull=True, chunks_done=F("chunks_total")).update(
            finished_at=timezone.now()
        )
    if failed:
        log.warning("evaluation run %s chunk %s: failed for patients %s", chunk.run_id, chunk.index, failed)
    return "done"


def evaluation_stale_chunk_ids(*, now: dt.datetime | None = None) -> list[int]:
    """Chunks of unfinished runs that no worker holds: never queued (a lost message) or claimed by a
    worker that is gone. The periodic task queues them again, so a run always finishes."""
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.EVALUATION_CHUNK_STALE_SECONDS)
    return list(
        EvaluationChunk.objects.filter(run__finished_at__isnull=True)
        .filter(
            Q(status=ChunkStatus.PENDING, run__started_at__lt=stale)
            | Q(status=ChunkStatus.RUNNING, claimed_at__lt=stale)
        )
        .values_list("id", flat=True)
    )


def evaluation_progress(*, run: EvaluationRun) -> dict:
    """What the dashboard and the logs show of a run: chunks done, patients evaluated, failures by id."""
    failed = [pid for ids in run.chunks.exclude(failed_patient_ids=[]).values_list("failed_patient_ids", flat=True)
              for pid in ids]  # fmt: skip
    return {
        "run": run.id, "started_at": run.started_at, "finished_at": run.finished_at,
        "chunks_done": run.chunks_done, "chunks_total": run.chunks_total,
        "patients_evaluated": run.patients_evaluated, "patients_total": run.patients_total,
        "flags_raised": run.flags_raised, "failed_patient_ids": sorted(failed),
    }  # fmt: skip
