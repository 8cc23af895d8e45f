"""The Celery application: `celery -A vpportal worker` and `celery -A vpportal beat` run every
background job (webhook delivery, notification emails, the digest, retention). Configuration comes
from settings.py (`CELERY_*`): Redis in production and CI, an embedded file-system broker when
CELERY_BROKER_URL is unset (`make run`). Every task is idempotent and acknowledged late, so a worker
killed in the middle of a job loses nothing: the broker hands the job out again."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vpportal.settings")

app = Celery("vpportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
