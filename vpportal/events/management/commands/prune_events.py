from django.core.management.base import BaseCommand

from vpportal.events.retention import prune_events


class Command(BaseCommand):
    help = "Delete events older than EVENT_RETENTION_DAYS (the periodic job does the same)."

    def handle(self, *args, **options):
        self.stdout.write(f"Pruned {prune_events()} events.")
