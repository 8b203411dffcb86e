"""Child processes that end with their parent: a server started for the service or a test is never left behind."""

from __future__ import annotations

import ctypes
import signal
import sys

# Looked up once here, in the parent: after fork, the child may only make this one foreign call.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """A Popen preexec_fn: SIGTERM this child when the thread that started it ends (its process killed,
    even by SIGKILL). Linux only; elsewhere nothing is set and stop() remains the only way to end it."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
