"""Drops `vp_count_estimate(query)` (0004_count_estimate): list counts are exact within a time
budget since the counting moved to vpportal/core/counting.py, and nothing calls the function any
more. PostgreSQL only (the function never existed elsewhere); reversing creates it again."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION vp_count_estimate(query text) RETURNS bigint
LANGUAGE plpgsql VOLATILE STRICT AS $$
DECLARE
    plan json;
BEGIN
    EXECUTE 'EXPLAIN (FORMAT JSON) ' || query INTO plan;
    RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::bigint;
END;
$$;
"""
DROP = "DROP FUNCTION IF EXISTS vp_count_estimate(text);"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


class Migration(migrations.Migration):
    dependencies = [("vpportal", "0006_field_bounds")]

    operations = [migrations.RunPython(drop, create)]
