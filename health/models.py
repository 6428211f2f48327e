from django.db import models


class Heartbeat(models.Model):
    """One row, updated in place: when beat last sent the heartbeat task and when a worker
    last ran it (health/heartbeat.py writes it; health/checks.py reads it)."""

    ROW = 1

    beat_sent_at = models.DateTimeField(null=True, blank=True)
    worker_ran_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"beat {self.beat_sent_at}, worker {self.worker_ran_at}"
