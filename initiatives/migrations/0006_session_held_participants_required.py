# Every session has its participants recorded (0005 filled the existing ones): required from now on.
# A migration of its own, so on PostgreSQL the UPDATE of 0005 is committed before the ALTER TABLE.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0005_session_held_participants"),
    ]

    operations = [
        migrations.AlterField(
            model_name="mentorshipsession",
            name="held_mentee",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="vpportal.person",
                verbose_name="mentee at the session",
            ),
        ),
        migrations.AlterField(
            model_name="mentorshipsession",
            name="held_mentor",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="vpportal.person",
                verbose_name="mentor at the session",
            ),
        ),
    ]
