"""Leadership reads across every app: the executive report (HTML and PDF), the audit trail and the
dashboard's API."""
