"""The maintained row counts' tables and trigger functions (vpportal/core/rowcounts.py); each app's
migration then says which of its tables are counted, by which columns. PostgreSQL only."""

from django.db import migrations

from vpportal.core.rowcounts import InstallRowCounts


class Migration(migrations.Migration):
    dependencies = [("vpportal", "0008_person_time_zone")]

    operations = [InstallRowCounts()]
