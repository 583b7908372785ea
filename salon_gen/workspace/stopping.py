"""Stopping in order: what SIGTERM and SIGHUP do to a salon command, and to its workers.

Owns `stop_on_signals`, which `salon build` and `salon serve` install so that a service
manager's SIGTERM or a closing terminal's SIGHUP stops them as Ctrl-C does (an exception
in the main thread, so `finally` blocks run: the preview removes its folder, a build shuts
its worker pool down), and `worker_started`, run first in every worker process, so workers
leave stopping to their parent and die with it, and `signals_held`, for the moments a
stop must wait for (forking workers, swapping the site folder). Must not print or exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator

STOP_SIGNALS = tuple(s for s in ("SIGTERM", "SIGHUP") if hasattr(signal, s))
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class Stopped(KeyboardInterrupt):
    """Raised in the main thread by SIGTERM or SIGHUP: a KeyboardInterrupt, so whatever
    cleans up after Ctrl-C cleans up after these too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.name = signal.Signals(signum).name


def stop_on_signals() -> Callable[[], None]:
    """Make SIGTERM and SIGHUP raise `Stopped` in the main thread. Returns the undo. In any
    other thread (tests run commands in one) it does nothing: only the main thread may set
    handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum: int, frame: object) -> None:
        signal.signal(signum, signal.SIG_IGN)  # a second one must not cut the cleanup short
        raise Stopped(signum)

    before = {s: signal.signal(getattr(signal, s), interrupt) for s in STOP_SIGNALS}

    def restore() -> None:
        for name, handler in before.items():
            signal.signal(getattr(signal, name), handler)

    return restore


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold back SIGINT, SIGTERM and SIGHUP in this thread while the block runs; one that
    came meanwhile is acted on when it ends. Processes forked inside start with them held
    too, until `worker_started` has made them harmless."""
    held = {signal.SIGINT, *(getattr(signal, s) for s in STOP_SIGNALS)}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def worker_started(parent: int) -> None:
    """The first thing a worker process does. A forked worker inherits its parent's
    handlers: it must not turn a SIGTERM from its parent into an exception (it would print
    a traceback instead of dying) nor act on Ctrl-C, which its parent handles for the
    whole pool. On Linux it also asks the kernel to kill it when its parent dies, however
    that happens (SIGKILL, the OOM killer), so no worker outlives the build."""
    for name in STOP_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the death signal was asked for
        os._exit(1)
    if hasattr(signal, "pthread_sigmask"):  # forked inside `signals_held`: let them in now
        held = {signal.SIGINT, *(getattr(signal, s) for s in STOP_SIGNALS)}
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
