"""`vp_count_estimate(query)`: the planner's row estimate of a query, for list counts beyond the exact
limit (at the time). PostgreSQL only; other databases count exactly. Dropped again by 0007_drop_count_estimate."""

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


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("vpportal", "0003_leadership_digest_entries")]

    operations = [migrations.RunPython(create, drop)]
