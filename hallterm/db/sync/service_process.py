"""One ``hallterm central serve``: its processes (uvicorn workers), each with a small bounded
pool whose connections carry server-side timeouts, and the app each worker builds.

Each process holds ``POOL_SIZE`` connections whatever the number of stations, and every
connection carries ``statement_timeout``, ``lock_timeout`` and
``idle_in_transaction_session_timeout``.  Without ``--workers`` there is one process per core
(at most ``MAX_DEFAULT_WORKERS``), one for a SQLite central.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from starlette.applications import Starlette

from hallterm.db.engine import Store, normalize_url
from hallterm.db.services.certificate_tsa import TsaConfig, load_ltv_source
from hallterm.db.sync.central.receive import stage_incoming
from hallterm.db.sync.service import make_app

POOL_SIZE = 4
MAX_DEFAULT_WORKERS = 4
STATEMENT_TIMEOUT_MS = 20_000
LOCK_TIMEOUT_MS = 5_000
IDLE_IN_TRANSACTION_MS = 5_000
CENTRAL_ENV = "HALLTERM_SERVICE_CENTRAL"
TSA_ENV = "HALLTERM_SERVICE_TSA"  # the TSA configuration (JSON of ``TsaConfig``) for workers


class ServiceStore(Store):
    """Central's store as the service opens it: a bounded pool with server-side timeouts."""

    def __init__(self, url_or_path: str, pool_size: int = POOL_SIZE) -> None:
        super().__init__(url_or_path)
        self.pool_size = pool_size

    @property
    def engine(self) -> Engine:
        if self._engine is None and self.dialect == "postgresql":
            options = (
                f"-c statement_timeout={STATEMENT_TIMEOUT_MS} -c lock_timeout={LOCK_TIMEOUT_MS} "
                f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}"
            )
            self._engine = create_engine(
                make_url(normalize_url(self.url)),
                pool_size=self.pool_size,
                max_overflow=0,
                pool_timeout=30,
                # No pre-ping: SQLAlchemy pings in autocommit, a commit per request even when
                # idle.  A connection broken meanwhile fails one request (503, retried by the
                # station) and is replaced.
                pool_pre_ping=False,
                pool_recycle=600,
                # Nothing prepared but the reads' statements (``service_reads``).
                connect_args={"options": options, "connect_timeout": 10, "prepare_threshold": None},
            )
            event.listen(
                self._engine, "connect", lambda conn, record: stage_incoming(conn, record.info)
            )
            self._read_engine = self._engine
        return super().engine


def app_from_env() -> Starlette:
    """The app of one ``serve`` worker process (uvicorn factory): central and its TSA from the
    environment (the TSA key's passphrase from ``HALLTERM_KEY_PASSPHRASE``)."""
    from hallterm.printing.keys import ENV_PASSPHRASE

    config = TsaConfig.from_json(os.environ.get(TSA_ENV) or "{}")
    ltv = None
    if config.configured:
        passphrase = os.environ.get(ENV_PASSPHRASE, "").encode("utf-8")
        ltv = load_ltv_source(config, passphrase)
    return make_app(ServiceStore(os.environ[CENTRAL_ENV]), ltv=ltv)


def default_workers(central_url: str) -> int:
    """``serve``'s processes when none are asked for: one per core, at most ``MAX_DEFAULT_WORKERS``
    (each holds its own pool of ``POOL_SIZE``); one for a SQLite central, whose writes take
    turns anyway."""
    if not normalize_url(central_url).startswith("postgresql"):
        return 1
    return max(1, min(MAX_DEFAULT_WORKERS, os.cpu_count() or 1))


def serve(
    central_url: str,
    host: str,
    port: int,
    *,
    workers: int = 1,
    tls_cert: str | None = None,
    tls_key: str | None = None,
    log_level: str = "warning",
    tsa: TsaConfig | None = None,
) -> None:
    """Run the service (blocks): ``workers`` processes, each with its own small pool (and,
    with ``tsa``, its own copy of central's TSA, loaded once)."""
    import uvicorn

    os.environ[CENTRAL_ENV] = central_url
    os.environ[TSA_ENV] = (tsa or TsaConfig()).to_json()
    uvicorn.run(
        "hallterm.db.sync.service_process:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ssl_certfile=tls_cert,
        ssl_keyfile=tls_key,
        log_level=log_level,
        timeout_keep_alive=30,
        http="httptools",  # C parser: an idle poll costs ~15 % less than with h11
    )
