"""The daily digest: each person's notifications and due and overdue items, at most once per item per
day (cron-safe)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from leadership.digest import send_digests


class Command(BaseCommand):
    help = "Email each active person their notifications and due and overdue items; safe to run at any frequency."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Pretend today is this day (YYYY-MM-DD).")
        parser.add_argument("--base-url", help="Where links point (default: PORTAL_BASE_URL or localhost).")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be sent; send nothing.")

    def handle(self, *args, **options):
        today = None
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must look like 2025-01-31.")
        result = send_digests(today=today, base=options["base_url"], dry_run=options["dry_run"])
        verb = "Would send" if options["dry_run"] else "Sent"
        self.stdout.write(
            f"{verb} {result.emails} digest(s) with {result.items} item(s) and {result.notifications} notification(s)."
        )
