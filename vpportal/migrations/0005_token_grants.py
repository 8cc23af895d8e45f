"""API tokens: what each was granted (minting tokens), and an expiry for tokens made before every
token had one (now + API_TOKEN_DEFAULT_DAYS, so nobody's integration stops at once)."""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def expire_open_ended_tokens(apps, schema_editor):
    from django.utils import timezone

    AuthToken = apps.get_model(*settings.KNOX_TOKEN_MODEL.split("."))
    days = getattr(settings, "API_TOKEN_DEFAULT_DAYS", 90)
    AuthToken.objects.filter(expiry__isnull=True).update(expiry=timezone.now() + timedelta(days=days))


class Migration(migrations.Migration):
    dependencies = [
        ("knox", "0009_extend_authtoken_field"),
        ("vpportal", "0004_count_estimate"),
        migrations.swappable_dependency(settings.KNOX_TOKEN_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="TokenGrant",
            fields=[
                (
                    "token",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="grant",
                        serialize=False,
                        to=settings.KNOX_TOKEN_MODEL,
                    ),
                ),
                (
                    "can_create_tokens",
                    models.BooleanField(
                        default=False,
                        help_text="Calls made with this token may create (and revoke) its user's tokens.",
                        verbose_name="may create tokens",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="children",
                        to=settings.KNOX_TOKEN_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "API token grant",
            },
        ),
        migrations.RunPython(expire_open_ended_tokens, migrations.RunPython.noop),
    ]
