"""Exact list counts at any size: the lists' tables counted by the columns they are filtered on
(vpportal/core/rowcounts.py). PostgreSQL only."""

from django.db import migrations

from vpportal.core.rowcounts import MaintainRowCount


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0007_field_bounds"), ("vpportal", "0009_maintained_row_counts")]

    operations = [
        MaintainRowCount("initiative", ("stage", "health", "priority")),
        MaintainRowCount("milestone", ("status",)),
        MaintainRowCount("kpi", ("cadence", "direction")),
        MaintainRowCount("kpimeasurement", ("kpi",)),
    ]
