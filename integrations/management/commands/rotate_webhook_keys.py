"""Re-encrypt every stored webhook secret (subscriptions and their history) with the first key of
WEBHOOK_SECRET_KEYS, after a new key was put first; then the old key can be dropped."""

from django.core.management.base import BaseCommand
from django.db import transaction

from integrations.models import Webhook


class Command(BaseCommand):
    help = __doc__

    @transaction.atomic
    def handle(self, *args, **options):
        count = 0
        for model in (Webhook, Webhook.history.model):
            # Read decrypts with any key, the update encrypts with the first; no new history row.
            for pk, secret, previous in model.objects.values_list("pk", "secret", "previous_secret").iterator():
                model.objects.filter(pk=pk).update(secret=secret, previous_secret=previous)
                count += 1
        self.stdout.write(f"Re-encrypted the secrets of {count} rows.")
