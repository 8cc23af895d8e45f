"""A text field stored encrypted (integrations.crypto): Python sees the plain value, the database
(and its history table, and backups) only the Fernet token."""

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return crypto.encrypt(value) if value else value
