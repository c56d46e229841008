"""Errors that name the offending field, for a one-line message and exit code 2."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: says which field and why, so the caller can fix it."""

    def __init__(self, field: str, reason: str):
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")

    def __reduce__(self):
        # Rebuilt from its field and reason (a process deciding shapes sends its errors back pickled).
        return (type(self), (self.field, self.reason))
