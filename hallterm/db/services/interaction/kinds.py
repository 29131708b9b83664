"""Interaction kinds and channels: the codes, their labels and the items' number prefixes."""

from __future__ import annotations

from hallterm.db.services import ServiceError
from hallterm.i18n import N_, _

KINDS = ("consultation", "complaint", "correction")
CHANNELS = ("window", "phone", "online", "letter", "other")

NUMBER_PREFIX = {"consultation": "ZX", "complaint": "TS", "correction": "JC"}

KIND_LABELS = {
    "consultation": N_("consultation"),
    "complaint": N_("complaint"),
    "correction": N_("correction suggestion"),
}
CHANNEL_LABELS = {
    "window": N_("at the window"),
    "phone": N_("by phone"),
    "online": N_("online"),
    "letter": N_("by letter"),
    "other": N_("other channel"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind))


def channel_label(channel: str) -> str:
    return _(CHANNEL_LABELS.get(channel, channel))


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ServiceError(
            _("unknown kind {kind}; use one of {kinds}").format(kind=kind, kinds=", ".join(KINDS))
        )
