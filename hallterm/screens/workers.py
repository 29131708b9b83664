"""Background work for screens: a thread worker whose failure always reaches the clerk.

``@background(...)`` replaces Textual's ``@work(thread=True, exit_on_error=False, ...)`` on a
screen or widget method: an exception the method does not handle is turned into one
translated sentence (``hallterm.failures``) and shown as an error notice, never lost with the
worker.  (``in_thread`` does the same for a job with a result callback; a
worker the App runs itself is caught by the App base's ``Worker.StateChanged`` fallback.)
A test forbids bare ``@work`` and ``run_worker`` elsewhere.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar, cast

from textual import work
from textual.dom import DOMNode
from textual.worker import Worker

from hallterm.app_base import HallApp
from hallterm.db.services import ServiceError
from hallterm.failures import failure_message

P = ParamSpec("P")
N = TypeVar("N", bound=DOMNode)


def show_failure(node: DOMNode, exc: BaseException) -> None:
    """From a worker thread: the clerk reads what went wrong (as plain text)."""
    message = failure_message(exc)
    app = node.app

    def show() -> None:
        notify_error = getattr(app, "notify_error", None)
        if notify_error is not None:
            notify_error(message)
        else:
            app.notify(message, severity="error", markup=False)

    with contextlib.suppress(RuntimeError):  # the app is already closing: nobody to tell
        app.call_from_thread(show)


def background(
    *, group: str = "default", exclusive: bool = False, name: str = ""
) -> Callable[[Callable[Concatenate[N, P], None]], Callable[Concatenate[N, P], Worker[None]]]:
    """Run the decorated method in a thread worker; its failure becomes an error notice."""

    def decorate(
        method: Callable[Concatenate[N, P], None],
    ) -> Callable[Concatenate[N, P], Worker[None]]:
        @functools.wraps(method)
        def guarded(self: N, *args: P.args, **kwargs: P.kwargs) -> None:
            try:
                method(self, *args, **kwargs)
            except Exception as exc:  # shown to the clerk, not lost with the worker
                show_failure(self, exc)

        return work(thread=True, exit_on_error=False, group=group, exclusive=exclusive, name=name)(
            guarded
        )

    return decorate


T = TypeVar("T")


def in_thread(
    node: DOMNode,
    job: Callable[[], T],
    done: Callable[[T], object],
    failed: Callable[[str], object] | None = None,
    *,
    group: str = "service",
    exclusive: bool = False,
) -> Worker[None]:
    """Run ``job`` in a thread; ``done(result)`` or ``failed(message)`` on the event loop."""
    app = node.app

    def show_error(message: str) -> None:
        if failed is not None:
            failed(message)
        else:
            cast(HallApp, app).notify_error(message)

    def runner() -> None:
        try:
            result = job()
        except ServiceError as exc:
            app.call_from_thread(show_error, str(exc))
            return
        except Exception as exc:  # shown to the clerk instead of vanishing with the worker
            app.call_from_thread(show_error, failure_message(exc))
            return
        app.call_from_thread(done, result)

    return node.run_worker(
        runner, thread=True, exit_on_error=False, group=group, exclusive=exclusive
    )
