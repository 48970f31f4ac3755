import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpline.settings")

app = Celery("helpline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _refuse_public_secret_key(**kwargs):
    # A worker serves the web app's tasks: it starts under the same rule as the web server.
    from django.core.exceptions import ImproperlyConfigured

    from helpline.startup import refuse_public_secret_key

    try:
        refuse_public_secret_key()
    except ImproperlyConfigured as refusal:
        # Celery logs and swallows a receiver's exception; SystemExit is what stops the worker.
        raise SystemExit(f"django.core.exceptions.ImproperlyConfigured: {refusal}") from refusal
