"""The one exception type for failures a user can fix."""

from __future__ import annotations


class StripdownError(Exception):
    """A user-facing failure: a short title and a one-line message naming the culprit and the fix.

    The CLI prints the message to stderr and exits with `exit_code`; the app shows it in a dialog.
    """

    exit_code = 1

    def __init__(self, message: str, *, title: str = "stripdown") -> None:
        super().__init__(message)
        self.message = message
        self.title = title


class UsageError(StripdownError):
    """A command line that cannot be carried out as written (exit status 2)."""

    exit_code = 2
