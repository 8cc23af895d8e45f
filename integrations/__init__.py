"""Integrations (top floor): consumers of the event stream. Signed webhooks (Standard Webhooks) and
in-portal and email notifications. Imports the foundation and the apps; nothing imports it."""
