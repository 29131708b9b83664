"""Station ⇄ central sync (DESIGN §4): push the outbox, pull the feed, keep conflicts.

``central`` receives and applies pushed events and serves the pull feed; ``push`` and
``pull`` are the station's halves; ``runner`` runs them once or continuously;
``security`` sets up PostgreSQL roles and row-level security at central; ``rows`` turns
event-payload snapshots back into table rows.
"""
