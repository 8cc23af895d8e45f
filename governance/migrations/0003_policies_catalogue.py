"""Ships the framework catalogue (NIST AI RMF 1.0, EU AI Act obligations) from governance/data."""

from django.db import migrations


def load(apps, schema_editor):
    from governance.data import load_catalogue

    load_catalogue(apps.get_model("governance", "Framework"), apps.get_model("governance", "Requirement"))


class Migration(migrations.Migration):
    dependencies = [("governance", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
