"""Central's timestamp authority as configured: what ``central timestamp`` and the sync service
load once to extend certificates to B-LTA (``certificate_ltv.LtvSource``).

Either central's own TSA key file (a root-issued timeStamping certificate; the trusted root
defaults to the one in that file) or an external RFC 3161 TSA by URL, which needs the trusted
root and the TSA's own root.  A bad configuration is a ``KeyFileError`` with a clear message.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from hallterm.db.services.certificate_ltv import LtvSource
from hallterm.i18n import _
from hallterm.printing.keys import KeyFileError, load_p12, load_pem_certs
from hallterm.printing.tsa import CentralTimeStamper, check_tsa, external_timestamper


@dataclass(frozen=True)
class TsaConfig:
    """Where central's TSA comes from (paths and URL only; the passphrase is given apart)."""

    tsa_file: str = ""  # central's own TSA key file (PKCS#12)
    tsa_url: str = ""  # or an external RFC 3161 TSA
    tsa_root: str = ""  # the external TSA's root certificate (PEM)
    root_cert: str = ""  # the trusted root (PEM); default with a key file: the file's root

    @property
    def configured(self) -> bool:
        return bool(self.tsa_file or self.tsa_url)

    @property
    def needs_passphrase(self) -> bool:
        return bool(self.tsa_file)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> TsaConfig:
        data = json.loads(text)
        return cls(
            **{k: str(data.get(k) or "") for k in ("tsa_file", "tsa_url", "tsa_root", "root_cert")}
        )


def load_ltv_source(config: TsaConfig, passphrase: bytes = b"") -> LtvSource:
    """The ``LtvSource`` of ``config``; ``KeyFileError`` when it is incomplete or unreadable."""
    if bool(config.tsa_file) == bool(config.tsa_url):
        raise KeyFileError(
            _("give central's TSA key file (--tsa FILE) or an external TSA (--tsa-url URL)")
        )
    roots = load_pem_certs(Path(config.root_cert)) if config.root_cert else []
    if config.tsa_file:
        tsa = load_p12(Path(config.tsa_file), passphrase)
        check_tsa(tsa)
        return LtvSource(
            lambda at: CentralTimeStamper(tsa, at),
            roots or tsa.chain[-1:],
            [tsa.cert, *tsa.chain],
        )
    if not roots or not config.tsa_root:
        raise KeyFileError(
            _(
                "with --tsa-url, give the trusted root with --root-cert FILE and the "
                "TSA's root with --tsa-root FILE"
            )
        )
    url = config.tsa_url
    return LtvSource(
        lambda at: external_timestamper(url), roots, [], load_pem_certs(Path(config.tsa_root))
    )
