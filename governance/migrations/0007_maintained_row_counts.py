"""Exact list counts at any size: the lists' tables counted by the columns they are filtered on
(vpportal/core/rowcounts.py). PostgreSQL only."""

from django.db import migrations

from vpportal.core.rowcounts import MaintainRowCount


class Migration(migrations.Migration):
    dependencies = [("governance", "0006_incidents_and_vendors"), ("vpportal", "0009_maintained_row_counts")]

    operations = [
        MaintainRowCount("risk", ("category", "status")),
        MaintainRowCount("mitigation", ("status",)),
    ]
