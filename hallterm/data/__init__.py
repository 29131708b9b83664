"""Data shipped with hallterm: the demo catalog and the holiday overrides (JSON)."""
