"""Owner names: person or entity, display names, and normalised keys for merging.

>>> owner_kind("BOTHA ROELOF")
'person'
>>> owner_kind("BERKSHIRE HATHAWAY INC")
'entity'
>>> display_name("BOTHA ROELOF", "person")
'Roelof Botha'
"""

from __future__ import annotations

import re

from insidergraph.loaders.model import OwnerKind

_ENTITY = re.compile(
    r"\b(INC|CORP|CORPORATION|LLC|L\.?L\.?C|LP|L\.?P|LTD|TRUST|FUND|PARTNERS|HOLDINGS|BANK|CAPITAL|GROUP|CO|COMPANY|FOUNDATION|PLC|N\.?A)\b\.?",
    re.IGNORECASE,
)


def owner_kind(name: str) -> OwnerKind:
    """Decide offline whether a reporting owner's name is a person's or an entity's."""
    return "entity" if _ENTITY.search(name) or "/" in name else "person"


def display_name(name: str, kind: OwnerKind) -> str:
    """A readable name: persons as "First Middle Last" from EDGAR's "LAST FIRST MIDDLE"."""
    parts = name.split()
    if kind == "entity" or len(parts) < 2:
        return " ".join(parts)
    return " ".join(p.capitalize() for p in parts[1:] + parts[:1])


def person_key(name: str) -> str:
    """A key that merges spellings of one person's name (case, punctuation, initials)."""
    words = re.sub(r"[^\w\s]", " ", name).upper().split()
    return " ".join(sorted(w for w in words if len(w) > 1))
