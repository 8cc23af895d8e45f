"""Migration operations for changes to tables that are large and live in production.

`AddIndexOnline` builds an index with `CREATE INDEX CONCURRENTLY` on PostgreSQL: the table keeps
taking writes while the index builds (a plain CREATE INDEX blocks writes for the whole build,
seconds on the 2 M-row measurements table). Its migration must say `atomic = False`, because
PostgreSQL refuses a concurrent build inside a transaction. On other databases (SQLite, the
single-user default) it is a plain AddIndex. The migration state is AddIndex's either way.
"""

from django.db import migrations


class AddIndexOnline(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        self._concurrently(schema_editor, to_state.apps.get_model(app_label, self.model_name), "add_index")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        self._concurrently(schema_editor, from_state.apps.get_model(app_label, self.model_name), "remove_index")

    def _concurrently(self, schema_editor, model, method: str):
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            getattr(schema_editor, method)(model, self.index, concurrently=True)
