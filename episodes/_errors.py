"""The package's one root error and its kinds.

Details are kept as attributes and the message is built in ``__str__``, so a
caller can read ``error.index`` / ``error.field`` / ``error.value`` without
parsing text.  Messages carry the event's index, the field and the offending
value cut to 80 characters: never a patient id, never the value of an unknown
field (``value`` is then ``HIDDEN``), never Python's own words.
"""

from __future__ import annotations

from typing import Any


class _Hidden:
    """The value of a refusal that is not shown (a patient id, an unknown field's value)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<not shown>"


#: A refusal's value when it is not shown.
HIDDEN: Any = _Hidden()
#: The longest value a message shows, in characters of its repr.
SHOWN = 80


def cut(text: str, most: int) -> str:
    """``text``, cut to ``most`` characters (the last an ellipsis) where it is longer."""
    return text if len(text) <= most else text[: most - 1] + "…"


def shown(value: Any) -> str:
    """A value as a message shows it: its repr, cut to ``SHOWN`` characters."""
    return cut(repr(value), SHOWN)


def kind_of(value: Any) -> str:
    """What a value is, in a person's words (never the value itself): 'a string', 'null'."""
    if value is None:
        return "null"
    words = {bool: "true or false", int: "a number", float: "a number", str: "a string", list: "a list"}
    return words.get(type(value), "a table" if isinstance(value, dict) else "a value of another kind")


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
            where += f", field {shown(self.field)}"
        if self.value is HIDDEN:
            return f"{where}: {self.reason}"
        return f"{where}: {self.reason} (got {shown(self.value)})"


class DuplicateEventId(InvalidEvent):
    """A procedure id that the episode (or the same batch) already holds."""
