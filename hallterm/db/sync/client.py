"""The station's client of the sync service (httpx): one request per batch or page.

``SyncClient`` knows the service URL, the station's code and credential (from its
enrolment, kept in the store), and how to trust the server: the enrolment's root
certificate, else the system trust store.  Plain HTTP is allowed only to a loopback
address unless ``insecure`` is given.  Every request has explicit timeouts; a timeout, a
cut or a 5xx is a ``LinkError`` (the outcome is unknown: send the same ids again), a 401 is
``AuthRefused`` with central's message.  ``requests`` counts what was sent.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from hallterm.db.sync.central.common import ChainState, EventIn, FeedItem, Page, SyncRefused
from hallterm.db.sync.font_dictionary import DICTIONARY_HEADER, FontDictionary
from hallterm.db.sync.wire import (
    BRIEF_STATUSES,
    CONTENT_TYPE,
    ENCODING,
    STATION_HEADER,
    BadBody,
    Form,
    carries_bytes,
    decode,
    encode,
    event_in,
    events_out,
    shared_dictionary,
)
from hallterm.i18n import _

CONNECT_TIMEOUT = 10.0
REQUEST_TIMEOUT = 60.0


class LinkError(Exception):
    """The service could not be reached or did not answer in time: try again later."""


class AuthRefused(SyncRefused):
    """401: the credential is missing, wrong or revoked."""


class Behind(Exception):
    """409: a pipelined batch came before the batch it follows was stored; send it again."""


class Diverged(Exception):
    """409: a batch sent with its ``base`` found central's chain of this station elsewhere;
    nothing was stored (the sync sends it again without a base, see ``push.settle``)."""


class DictionaryRefused(Exception):
    """415: central does not have the compression dictionary the body was made with."""


class FullHashesNeeded(Exception):
    """409: central computed a hash that does not match its prefix; nothing was stored.  Send
    the batch again with full hashes (``SyncClient.full_hashes``)."""


@dataclass(frozen=True)
class PushReply:
    event_id: str
    status: str  # ok / duplicate / refused
    problem: str
    message: str


def _results(data: dict[str, Any], events: list[EventIn]) -> list[PushReply] | None:
    """One reply per event, in order, from either form (``wire``); None when they do not
    answer for exactly these events."""
    raw = data["results"]
    if len(raw) != len(events):
        return None
    if "last" not in data:  # a central that names every event
        out = [PushReply(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in raw]
        return out if [r.event_id for r in out] == [e.id for e in events] else None
    if data["last"] != (events[-1].id if events else ""):
        return None
    return [
        PushReply(e.id, r, "", "")
        if isinstance(r, str) and r in BRIEF_STATUSES
        else PushReply(e.id, str(r[0]), str(r[1]), str(r[2]))
        for e, r in zip(events, raw, strict=True)
    ]


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str, insecure: bool) -> None:
    """``SyncRefused`` for plain HTTP off loopback (unless ``insecure``) or a bad URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncRefused(
            _("the sync service URL must start with https:// or http:// (got {url})").format(
                url=url
            )
        )
    if parts.scheme == "http" and not insecure and not is_loopback(parts.hostname):
        raise SyncRefused(
            _(
                "refusing plain HTTP to {host}: use https://, or --insecure on a trusted network"
            ).format(host=parts.hostname)
        )


class SyncClient:
    """Requests to one sync service for one station; thread-safe like ``httpx.Client``."""

    def __init__(
        self,
        url: str,
        station_code: str,
        credential: str,
        *,
        root_pem: str = "",
        insecure: bool = False,
        timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        check_url(url, insecure)
        self.url = url.rstrip("/")
        self.station_code = station_code
        self.requests = 0
        self.full_hashes = False  # send whole hashes and links (after a FullHashesNeeded)
        self.use_dictionary = True  # compress certificates with the font (until central refuses)
        self.accepts: frozenset[str] = frozenset()  # what central's pushes take (``wire.ACCEPTS``)
        verify: ssl.SSLContext | bool = True
        if url.startswith("https"):
            verify = ssl.create_default_context()
            if root_pem:
                verify = ssl.create_default_context(cadata=root_pem)
        self._http = httpx.Client(
            base_url=self.url,
            verify=verify,
            timeout=httpx.Timeout(timeout, connect=CONNECT_TIMEOUT),
            headers={
                "Authorization": f"Bearer {credential}",
                STATION_HEADER: station_code,
                "Content-Type": CONTENT_TYPE,
                "Content-Encoding": ENCODING,
                "Accept": CONTENT_TYPE,
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _post(
        self,
        path: str,
        body: dict[str, Any],
        timeout: float | None = None,
        dictionary: FontDictionary | None = None,
    ) -> dict[str, Any]:
        self.requests += 1
        try:
            kwargs: dict[str, Any] = {}
            if timeout is not None:
                kwargs["timeout"] = httpx.Timeout(timeout, connect=CONNECT_TIMEOUT)
            if dictionary is not None:
                kwargs["headers"] = {DICTIONARY_HEADER: dictionary.id}
            response = self._http.post(path, content=encode(body, dictionary), **kwargs)
        except httpx.TimeoutException as exc:
            raise LinkError(_("the sync service did not answer in time")) from exc
        except httpx.HTTPError as exc:
            raise LinkError(
                _("the sync service could not be reached: {why}").format(
                    why=str(exc) or type(exc).__name__
                )
            ) from exc
        try:
            data = decode(response.content) if response.content else {}
        except BadBody:
            data = {}
        message = str(data.get("error") or "")
        if response.status_code == 409 and data.get("behind"):
            raise Behind()
        if response.status_code == 409 and data.get("diverged"):
            raise Diverged()
        if response.status_code == 409 and data.get("full_hashes"):
            raise FullHashesNeeded()
        if response.status_code == 415 and data.get("no_dictionary"):
            raise DictionaryRefused()
        if response.status_code == 401:
            raise AuthRefused(message or _("central refused this station's credential"))
        if response.status_code >= 500:
            raise LinkError(
                message or _("the sync service failed ({code})").format(code=response.status_code)
            )
        if response.status_code != 200:
            raise SyncRefused(
                message
                or _("central refused the request ({code})").format(code=response.status_code)
            )
        return data

    def pull(self, cursor: int, central_id: str | None, limit: int) -> tuple[Page, ChainState]:
        try:
            return self._pull(cursor, central_id, limit)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise LinkError(_("the sync service sent an unreadable reply")) from exc

    def _pull(self, cursor: int, central_id: str | None, limit: int) -> tuple[Page, ChainState]:
        data = self._post(
            "/v1/pull", {"cursor": cursor, "central_id": central_id or "", "limit": limit}
        )
        items = tuple(FeedItem(int(i[0]), str(i[1]), str(i[2]), str(i[3])) for i in data["items"])
        page = Page(
            items,
            int(data["cursor"]),
            str(data["central_id"]),
            reset=bool(data.get("reset")),
            more=bool(data.get("more")),
        )
        self.accepts = frozenset(str(a) for a in data.get("accepts") or ())
        return page, ChainState(int(data["chain"][0]), str(data["chain"][1]))

    def push(
        self, events: list[EventIn], timeout: float | None = None, after: int = 0
    ) -> tuple[list[PushReply], ChainState]:
        """One batch; ``after``: the last seq of a batch still on the wire (pipelining)."""
        replies, chain, _stored = self.push_with_keys(events, None, timeout, after)
        return replies, chain

    def push_with_keys(
        self,
        events: list[EventIn],
        keys: list[tuple[str, str]] | None,
        timeout: float | None = None,
        after: int = 0,
        base: ChainState | None = None,
    ) -> tuple[list[PushReply], ChainState, list[str]]:
        """One batch with escrow copies of person keys beside it (``keys``: ``(applicant_id,
        copy)``); also returns the applicant ids whose copy central confirmed (stored, or
        refused for good because the person is erased).  ``base``: central's chain head this
        batch follows (``Diverged`` when central's is another)."""
        try:
            return self._push(events, keys, timeout, after, base)
        except (KeyError, IndexError, TypeError, ValueError) as exc:
            raise LinkError(_("the sync service sent an unreadable reply")) from exc

    def _push(
        self,
        events: list[EventIn],
        keys: list[tuple[str, str]] | None,
        timeout: float | None,
        after: int,
        base: ChainState | None,
    ) -> tuple[list[PushReply], ChainState, list[str]]:
        body: dict[str, Any] = {
            "events": events_out(events, form=self._form()),
            "brief": True,
        }
        if after:
            body["after"] = after
        if base is not None:
            body["base"] = [base.seq, base.hash]
        if keys:
            body["keys"] = [list(k) for k in keys]
        use_dictionary = self.use_dictionary and carries_bytes(body["events"])
        dictionary = shared_dictionary() if use_dictionary else None
        try:
            data = self._post("/v1/push", body, timeout, dictionary)
        except DictionaryRefused:  # another font at central: the plain body goes at once
            self.use_dictionary = False
            data = self._post("/v1/push", body, timeout)
        results = _results(data, events)
        if results is None:
            raise LinkError(_("the sync service answered for other events"))
        sent = {k[0] for k in keys or ()}
        stored = [
            str(r[0]) for r in data.get("keys") or () if r[1] in ("ok", "erased") and r[0] in sent
        ]
        return results, ChainState(int(data["chain"][0]), str(data["chain"][1])), stored

    def _form(self) -> Form:
        if self.full_hashes:
            return "full"
        return "compact" if "compact" in self.accepts else "short"

    def own(self, after: int, limit: int = 500) -> tuple[list[EventIn], bool]:
        try:
            return self._own(after, limit)
        except (KeyError, IndexError, TypeError, ValueError, BadBody) as exc:
            raise LinkError(_("the sync service sent an unreadable reply")) from exc

    def _own(self, after: int, limit: int) -> tuple[list[EventIn], bool]:
        data = self._post("/v1/own", {"after": after, "limit": limit})
        return [event_in(r) for r in data["events"]], bool(data.get("more"))

    def own_keys(self, after: str, limit: int = 500) -> tuple[list[tuple[str, str]], bool]:
        """A page of this station's escrow copies at central (``after``: an applicant id)."""
        try:
            data = self._post("/v1/own", {"keys_after": after, "limit": limit})
            copies = [(str(k[0]), str(k[1])) for k in data.get("keys") or ()]
        except (KeyError, IndexError, TypeError, ValueError, BadBody) as exc:
            raise LinkError(_("the sync service sent an unreadable reply")) from exc
        return copies, bool(data.get("keys")) and bool(data.get("more"))
