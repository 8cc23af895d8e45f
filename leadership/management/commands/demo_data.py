from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from integrations import demo_registry
from leadership.demo import DEMO_LOGINS, DEMO_PASSWORD, create_demo


class Command(BaseCommand):
    help = "Create the demo organisation and one login per role (idempotent)."

    def handle(self, *args, **options):
        result = create_demo()
        self.stdout.write("Demo data created." if result["created"] else "Demo data already present.")
        # The model registry comes and goes: a source for a local MLflow only while one runs.
        admin = get_user_model().objects.filter(username="admin", is_superuser=True).first()
        if admin is not None:
            self.stdout.write(demo_registry.connect(by=admin))
        if settings.DEMO_MODE:
            self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD})"))
            self.stdout.write(f"  {'admin':<11} superuser (admin only)")
            for username, role, name, title, *_ in DEMO_LOGINS:
                self.stdout.write(f"  {username:<11} {role:<12} {name}, {title}")
            self.stdout.write("")
