"""Typed connector errors. The type decides what the scheduler may do next.

- ConnectorError(permanent=False): the request did not reach the network, or
  the network said "try later" in a way that cannot have published anything.
- AuthExpired: the account must be reconnected; retrying cannot help.
- RateLimited: wait `retry_after` seconds, then the same request is safe.
- Rejected: the network refused the content; its own message says why.
- OutcomeUnknown: the request may have reached the network. Never retried
  blindly: only an idempotency key or `find_published` can settle it.
- NotSupported: the network has no such capability.
"""

from __future__ import annotations


class ConnectorError(Exception):
    def __init__(self, message: str, *, permanent: bool = False, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status


class AuthExpired(ConnectorError):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message, permanent=True, status=status)


class RateLimited(ConnectorError):
    def __init__(self, message: str, *, retry_after: float, status: int | None = 429):
        super().__init__(message, permanent=False, status=status)
        self.retry_after = retry_after


class Rejected(ConnectorError):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message, permanent=True, status=status)


class OutcomeUnknown(ConnectorError):
    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message, permanent=False, status=status)


class NotSupported(ConnectorError):
    def __init__(self, message: str = "This network does not offer that."):
        super().__init__(message, permanent=True)
