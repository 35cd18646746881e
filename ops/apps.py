from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    verbose_name = "运维"

    def ready(self):
        # Imported once the app registry is ready: the handlers count into hardship.metrics.
        from . import signals

        signals.connect()
