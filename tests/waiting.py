import time


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
        self._signals = signals
        signals.after_task_publish.connect(self._published, weak=False)
        signals.task_postrun.connect(self._finished, weak=False)

    def _published(self, sender=None, **kwargs):
        self.published[sender] += 1

    def _finished(self, sender=None, **kwargs):
        self.finished[sender.name] += 1

    def idle(self) -> bool:
        return bool(self.published) and all(self.finished[name] >= n for name, n in self.published.items())

    def close(self):
        self._signals.after_task_publish.disconnect(self._published)
        self._signals.task_postrun.disconnect(self._finished)
