"""The package's one root error and its kinds.

Details are kept as attributes and the message is built in ``__str__``, so a
caller can read ``error.index`` / ``error.field`` / ``error.value`` without
parsing text.  Messages carry the event's index and the offending value only:
never a patient id or any other part of the record.
"""

from __future__ import annotations

from typing import Any


class EpisodeError(ValueError):
    """Root of every error raised for bad episode input."""


class InvalidEvent(EpisodeError):
    """An event (or the episode's own header) that cannot be recorded.

    ``index`` is the event's position in the input list (``None`` for the
    episode's header fields), ``field`` the field path inside it (``None``
    when the event itself is not an object).
    """

    def __init__(self, index: int | None, field: str | None, value: Any, reason: str) -> None:
        super().__init__(index, field, value, reason)
        self.index = index
        self.field = field
        self.value = value
        self.reason = reason

    def __str__(self) -> str:
        where = "episode" if self.index is None else f"event {self.index}"
        if self.field is not None:
            where += f", field {self.field!r}"
        return f"{where}: {self.reason} (got {self.value!r})"


class DuplicateEventId(InvalidEvent):
    """A procedure id that the episode (or the same batch) already holds."""
