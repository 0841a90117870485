"""Signature lines: who signed, as attorney-in-fact or not, and for which owner.

>>> parse_signature("/s/ Jung Yeon Son, Attorney-in-Fact", None, ()).attorney_in_fact
True
"""

from __future__ import annotations

import re
from datetime import date
from typing import Sequence

from insidergraph.loaders.model import ReportingOwner, Signature

_AIF = re.compile(r"attorney[- ]in[- ]fact|power of attorney|\bPOA\b|atty[- ]in[- ]fact", re.IGNORECASE)


def parse_signature(text: str, when: date | None, owners: Sequence[ReportingOwner]) -> Signature:
    """Derive signer, attorney-in-fact flag and the owner acted for from a raw signature."""
    aif = bool(_AIF.search(text))
    signer = re.sub(r"^/s/\s*", "", text.strip()).split(",")[0].strip() or None
    behalf = owners[0] if aif and len(owners) == 1 else None
    return Signature(
        text=text,
        date=when,
        signer=signer,
        attorney_in_fact=aif,
        on_behalf_of=behalf.name if behalf else None,
        on_behalf_of_cik=behalf.cik if behalf else None,
    )
