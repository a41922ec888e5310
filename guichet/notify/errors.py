"""The one error of the senders: French words for the agent, and whether trying again later can help."""

from __future__ import annotations


class SendError(Exception):
    """An answer could not be sent (or its sending is not confirmed).

    ``message`` says in French what happened and what to do. ``retryable``: the same message may go out later
    without anyone's help (network down, server busy, temporary refusal); False when a person must act first
    (password refused, address refused for good, bad settings). ``detail`` is the technical cause, for the logs.
    """

    def __init__(self, message: str, *, retryable: bool, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.detail = detail

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"SendError({self.message!r}, retryable={self.retryable}, detail={self.detail!r})"
