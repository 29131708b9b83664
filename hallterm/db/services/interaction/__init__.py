"""Interaction (政务互动): consultations, complaints and correction suggestions, with deadlines.

An item is taken at a window, by phone or otherwise, and must be answered within a number of
working days that depends on its kind.  The defaults are ``DEFAULT_REPLY_DAYS``; a store
overrides one with the store_info key ``interaction.reply_days.<kind>`` (set with
``set_reply_days``).  The deadline is fixed when the item is taken, so changing the setting
later never moves the deadline of an item already promised to somebody.

Every use case appends its event (``interaction.recorded``, ``interaction.replied``,
``interaction.printed``, ``interaction.reply_days_set``) in its own transaction.

One module a concern: ``kinds`` (kinds, channels, labels), ``settings`` (reply deadlines),
``items`` (taking and replying), ``views`` (an item, lists, searches, counts),
``applicant_copy`` (the printed copy) and ``dashboard`` (the supervisor's section, registered
when this package is imported).  Import from here: ``interaction.record_item`` …
"""

from hallterm.db.services.interaction.applicant_copy import (
    copy_of,
    print_copy,
    record_copy_printed,
)
from hallterm.db.services.interaction.dashboard import dashboard_section
from hallterm.db.services.interaction.items import record_item, reply_item
from hallterm.db.services.interaction.kinds import (
    CHANNEL_LABELS,
    CHANNELS,
    KIND_LABELS,
    KINDS,
    NUMBER_PREFIX,
    channel_label,
    kind_label,
)
from hallterm.db.services.interaction.settings import (
    DEFAULT_REPLY_DAYS,
    MAX_REPLY_DAYS,
    REPLY_DAYS_KEY,
    reply_days,
    set_reply_days,
)
from hallterm.db.services.interaction.views import (
    YELLOW_AT,
    InteractionCounts,
    InteractionView,
    Status,
    counts,
    get_item,
    list_items,
    overdue_items,
    search_items,
)

__all__ = [
    "CHANNELS",
    "CHANNEL_LABELS",
    "DEFAULT_REPLY_DAYS",
    "KINDS",
    "KIND_LABELS",
    "MAX_REPLY_DAYS",
    "NUMBER_PREFIX",
    "REPLY_DAYS_KEY",
    "YELLOW_AT",
    "InteractionCounts",
    "InteractionView",
    "Status",
    "channel_label",
    "copy_of",
    "counts",
    "dashboard_section",
    "get_item",
    "kind_label",
    "list_items",
    "overdue_items",
    "print_copy",
    "record_copy_printed",
    "record_item",
    "reply_days",
    "reply_item",
    "search_items",
    "set_reply_days",
]
