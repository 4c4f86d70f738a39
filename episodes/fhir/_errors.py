"""The error of episodes.fhir."""

from __future__ import annotations

from typing import Any

from .._errors import HIDDEN, EpisodeError, shown


class FhirError(EpisodeError):
    """A resource that cannot be read: its type, id and the element path (value cut to 80 chars)."""

    def __init__(
        self, resource_type: str, resource_id: str | None, path: str, reason: str, value: Any = HIDDEN
    ):
        super().__init__(resource_type, resource_id, path, reason)
        self.resource_type = resource_type
        self.resource_id = resource_id
        self.path = path
        self.reason = reason
        self.value = value

    def __str__(self) -> str:
        where = self.resource_type + (f"/{shown(self.resource_id)}" if self.resource_id else "")
        if self.path:
            where += f" at {self.path}"
        if self.value is HIDDEN:
            return f"{where}: {self.reason}"
        return f"{where}: {self.reason} (got {shown(self.value)})"
