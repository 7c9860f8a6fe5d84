import time
from contextlib import ExitStack, contextmanager


def wait_for(condition, seconds: float = 20.0, every: float = 0.1) -> bool:
    """Poll ``condition`` until it holds or ``seconds`` pass; whether it held."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


class TaskLedger:
    """Counts task messages published and tasks finished in this process (the test worker runs here too).

    ``idle()`` is true once every published task has finished: a deterministic "nothing else will happen",
    instead of sleeping and hoping a second send would have shown up by then.
    """

    def __init__(self):
        from collections import Counter

        from celery import signals

        self.published, self.finished = Counter(), Counter()
        self.args: dict[str, list] = {}  # each finished task's arguments, by task name
        self._signals = signals
        signals.after_task_publish.connect(self._published, weak=False)
        signals.task_postrun.connect(self._finished, weak=False)

    def _published(self, sender=None, **kwargs):
        self.published[sender] += 1

    def _finished(self, sender=None, **kwargs):
        self.finished[sender.name] += 1
        self.args.setdefault(sender.name, []).append(kwargs.get("args"))

    def idle(self) -> bool:
        return bool(self.published) and all(self.finished[name] >= n for name, n in self.published.items())

    def close(self):
        self._signals.after_task_publish.disconnect(self._published)
        self._signals.task_postrun.disconnect(self._finished)


@contextmanager
def workers_on_queues(app, layout: list[tuple[str, list[str]]], **options):
    """Several test workers in this process, each on its own queues, as ``[(hostname, queues), ...]``.

    Celery keeps the queue selection on the app (``Queues.select``), and a worker's consumer reads it when it
    starts, in its own thread: starting the next worker before the last one consumes would hand it the next
    one's queues. So each is started only once the one before consumes exactly its queues."""
    from celery.contrib.testing.worker import start_worker

    with ExitStack() as stack:
        started = []
        for hostname, queues in layout:
            worker = stack.enter_context(start_worker(app, queues=queues, hostname=hostname, **options))

            def consuming(worker=worker):
                consumer = getattr(getattr(worker, "consumer", None), "task_consumer", None)
                return consumer is not None and sorted(q.name for q in consumer.queues)

            assert wait_for(lambda: consuming(), 60), f"worker {hostname} did not start consuming"
            assert consuming() == sorted(queues), (hostname, consuming())
            started.append(worker)
        yield started
