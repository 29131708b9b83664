"""Persistence: tables, engine and session setup, migrations, services (use cases) and sync."""
