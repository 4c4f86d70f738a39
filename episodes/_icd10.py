"""ICD-10-CM codes: is a code real?  Asked of a well-kept package, not of a list of ours.

``simple_icd_10_cm`` (the ``icd10`` extra) holds the current code set, category
headers included.  It takes about two seconds to import, so it is imported on
the first diagnosis checked, and each answer is kept.  Without the package a
code is checked for its shape only (a letter, two characters, then up to four
after a dot); docs/wire-format.md says so.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any

_SHAPE = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")


def well_formed(code: str) -> bool:
    """The shape of an ICD-10-CM code, dot included (``M47.816``, ``M54.5``, ``M54``)."""
    return _SHAPE.match(code) is not None


@lru_cache(maxsize=4096)
def is_known(code: str) -> bool:
    """``code`` is a code of the current ICD-10-CM code set (a category header counts)."""
    if not well_formed(code):
        return False
    cm = _package()
    return True if cm is None else bool(cm.is_valid_item(code))


@lru_cache(maxsize=1)
def _package() -> Any:
    """The code set's package, imported once (its import reads the whole code set); ``None``
    where the icd10 extra is not installed (the shape is all we can check then)."""
    try:
        with warnings.catch_warnings():  # it reads its data through importlib's legacy calls
            warnings.simplefilter("ignore", DeprecationWarning)
            import simple_icd_10_cm as cm

            cm.is_valid_item("M54")  # its data is read on first use
    except ImportError:
        return None
    return cm
