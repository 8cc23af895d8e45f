"""Forms of the initiatives app, one module per area."""
