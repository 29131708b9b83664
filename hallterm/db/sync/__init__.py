"""Station ⇄ central sync (DESIGN §4) through a central sync service over HTTP(S).

At central: ``central`` (a package by concern: admin, receive, apply, persons, feed,
conflicts), ``service`` (the Starlette app ``hallterm central serve`` runs; the only client
of central's database), ``security`` / ``roles`` (PostgreSQL roles and row-level security).
Between them: ``wire`` (the protocol's bodies).  At the station: ``client`` (httpx),
``enrol`` (station identity), ``pull``, ``recover``, ``push`` and ``runner`` (one sync, or
continuously with back-off); ``rows`` turns event-payload snapshots back into table rows.
"""
