"""Seed synthetic data at scale for benchmarks: every area's seeding steps, in the order they build
on each other (people and initiatives first; AI systems and risks over them).

    manage.py seed --initiatives 1000 --kpis 2000 --measurements-per-kpi 1000 --people 200 --risks 10000
"""

import random
import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from governance import seed_risks
from initiatives import seed_portfolio
from vpportal.people.models import Person

STEPS = [*seed_portfolio.STEPS, *seed_risks.STEPS]


class Command(BaseCommand):
    help = "Seed synthetic data at scale (for benchmarks). Each run adds records; it never deletes."

    def add_arguments(self, parser):
        for step in STEPS:
            parser.add_argument(
                step.option, type=int, default=step.default, help=f"{step.help} Default {step.default}."
            )
        parser.add_argument("--batch-size", type=int, default=2000, help="Rows per insert batch. Default 2000.")
        parser.add_argument("--random-seed", type=int, default=42, help="Random seed, for repeatable data.")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
        ctx = {
            "rng": random.Random(options["random_seed"]),
            "stdout": self.stdout,
            "batch_size": max(options["batch_size"], 1),
            "user": user,
            "stamp": f"{int(time.time()) % 100000:05d}",
            "people": list(Person.objects.order_by("pk")[:500]),
        }
        started = time.monotonic()
        for step in STEPS:
            count = options[step.option.lstrip("-").replace("-", "_")]
            if count <= 0:
                continue
            with transaction.atomic():
                step.run(ctx, count)
        self.stdout.write(self.style.SUCCESS(f"Seeded in {time.monotonic() - started:.1f}s."))
