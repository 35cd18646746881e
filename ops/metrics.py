"""What /metrics shows: every process's samples (multiprocess mode) plus the queue depth, read at scrape time."""

import os

import redis
from django.conf import settings
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily


class QueueDepthCollector:
    """Messages waiting in the Celery queue (Redis list length): a stuck or missing worker shows here first."""

    def collect(self):
        family = GaugeMetricFamily("portal_queue_depth", "Tasks waiting in the broker's queue", labels=["queue"])
        if settings.CELERY_BROKER_URL.startswith("redis"):
            try:
                client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=2)
                family.add_metric(["celery"], client.llen("celery"))
            except redis.RedisError:
                pass  # the broker's absence is readiness's to report, not a scrape error
        yield family


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Everything())
    registry.register(QueueDepthCollector())
    return generate_latest(registry)


class _Everything:
    """This process's default registry (django-prometheus' and the portal's metrics)."""

    def collect(self):
        yield from REGISTRY.collect()
