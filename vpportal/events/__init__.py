"""The change feed (an outbox): every write service records an `Event` in the change's own
transaction; webhooks, notifications and the digest consume the stream. Foundation: imports no app."""
