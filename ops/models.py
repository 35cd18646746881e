from django.db import models


class Heartbeat(models.Model):
    """The last time a scheduled process proved it runs: beat's minute task writes ``beat`` here,
    and readiness (/healthz/ready) fails when it is older than BEAT_HEARTBEAT_STALE_SECONDS."""

    name = models.CharField(max_length=50, primary_key=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} @ {self.at:%Y-%m-%d %H:%M:%S}"
