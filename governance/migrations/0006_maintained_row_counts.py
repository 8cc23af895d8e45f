"""Exact list counts at any size: the lists' tables counted by the columns they are filtered on
(vpportal/core/rowcounts.py). PostgreSQL only."""

from django.db import migrations

from vpportal.core.rowcounts import MaintainRowCount


class Migration(migrations.Migration):
    dependencies = [("governance", "0005_field_bounds"), ("vpportal", "0007_maintained_row_counts")]

    operations = [
        MaintainRowCount("risk", ("category", "status")),
        MaintainRowCount("mitigation", ("status",)),
    ]
