"""Which reporting owner a name written on a filing denotes: tolerant name matching.

Names match tolerantly: case, punctuation, "LAST FIRST" against "First Last", middle
names against initials, and first names sharing three letters ("Erik"/"Eric");
entities match after legal forms are normalised ("Corporation" = "CORP", "L.P." =
"LP", "/DE/" dropped) or with one misspelt word of four letters or more. A name that
matches several owners denotes none of them.

>>> from insidergraph.model import ReportingOwner
>>> botha = ReportingOwner(cik="0001222287", name="BOTHA ROELOF", display_name="Roelof Botha", kind="person")
>>> find_owner("Roelof Botha, Director", [botha]).cik
'0001222287'
>>> find_owner("Kathy Hibbs", [botha]) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from insidergraph.loaders.memo import memo
from insidergraph.loaders.names import owner_kind
from insidergraph.model import ReportingOwner

__all__ = ["find_owner"]

_PUNCT = re.compile(r"[.,'\u2019()]")
_LEGAL = {"CORPORATION": "CORP", "INCORPORATED": "INC", "LIMITED": "LTD", "COMPANY": "CO", "&": "AND"}
_DATED = re.compile(r"\s+dated\s+.*$", re.IGNORECASE)
_STATE = re.compile(r"\s*/[A-Za-z]{2,4}/?\s*$")
_PARTICLES = frozenset("VON VAN DE DEL DELLA DER DEN DA DI DU LA LE DOS DAS".split())
_PERSON_SUFFIX = frozenset("JR SR II III IV".split())


@memo(maxsize=8192)
def _entity_words(name: str) -> tuple[str, ...]:
    """An entity name's words, upper-case, legal forms spelt one way, no state or "dated" tail."""
    text = _DATED.sub("", _STATE.sub("", name.strip()))
    text = re.sub(r"\bL\.\s*P\.", "LP", text, flags=re.IGNORECASE)
    words = _PUNCT.sub(lambda m: "" if m.group(0) in ".'\u2019" else " ", text).upper().split()
    words = [_LEGAL.get(w, w) for w in words]
    if words[:1] == ["THE"]:
        words = words[1:]
    return tuple(words)


def _one_typo(a: str, b: str) -> bool:
    """True when two words of four letters or more differ by one edit."""
    if a == b or min(len(a), len(b)) < 4 or abs(len(a) - len(b)) > 1 or a.isdigit() or b.isdigit():
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def _same_entity(a: str, b: str) -> bool:
    """True when two names are one entity's: the same words, or one word with one typo."""
    wa, wb = _entity_words(a), _entity_words(b)
    if wa == wb:
        return bool(wa)
    if len(wa) != len(wb):
        return False
    diff = [(x, y) for x, y in zip(wa, wb) if x != y]
    return len(diff) == 1 and _one_typo(*diff[0])


class _Person(NamedTuple):
    """One reading of a person's name."""

    first: str
    middle: tuple[str, ...]
    last: str


def _person_words(text: str) -> list[str]:
    """Upper-case name words without punctuation, suffixes, or hyphens; particles joined."""
    words = _PUNCT.sub("", text).upper().replace("-", " ").split()
    merged: list[str] = []
    for w in words:
        if w in _PERSON_SUFFIX:
            continue
        # A particle joins the words after it: "VON KOSKULL", "DE LA CRUZ".
        if merged and all(p in _PARTICLES for p in merged[-1].split()):
            merged[-1] += " " + w
        else:
            merged.append(w)
    return merged


@memo(maxsize=8192)
def _readings(name: str) -> tuple[_Person, ...]:
    """Every plausible (first, middles, last) reading of a person's name.

    "Last, First Middle" when there is a comma; otherwise both "First Middle Last"
    and EDGAR's "LAST FIRST MIDDLE", since either order is filed.
    """
    text = _STATE.sub("", name)
    head, comma, tail = text.partition(",")
    if comma:
        last, given = _person_words(head), _person_words(tail)
        if last and given:
            return (_Person(given[0], tuple(given[1:]), " ".join(last)),)
    words = _person_words(text.replace(",", " "))
    if len(words) < 2:
        return ()
    return (
        _Person(words[0], tuple(words[1:-1]), words[-1]),
        _Person(words[1], tuple(words[2:]), words[0]),
    )


def _given_compatible(a: str, b: str) -> bool:
    """True when two given names may be one: equal, an initial of the other, or sharing three letters."""
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    return len(a) >= 3 and len(b) >= 3 and a[:3] == b[:3]


def _same_person(a: str, b: str) -> bool:
    """True when some reading of each name has the same last name and compatible given names."""
    for x in _readings(a):
        for y in _readings(b):
            if x.last.replace(" ", "") != y.last.replace(" ", "") or not _given_compatible(x.first, y.first):
                continue
            if x.middle and y.middle and x.middle[0][0] != y.middle[0][0]:
                continue
            return True
    return False


def _matches(name: str, owner: ReportingOwner) -> bool:
    """True when ``name`` may denote ``owner`` (as an entity, or as a person for a person owner)."""
    if _same_entity(name, owner.name):
        return True
    return owner.kind == "person" and owner_kind(name) == "person" and _same_person(name, owner.name)


def find_owner(name: str, owners: Sequence[ReportingOwner]) -> ReportingOwner | None:
    """The one owner a name denotes, trying "Name, Title, ..." shorter and shorter."""
    parts = [p.strip() for p in name.split(",")]
    for n in range(len(parts), 0, -1):
        candidate = ", ".join(parts[:n]).strip(" .")
        if not candidate:
            continue
        hits = [o for o in owners if _matches(candidate, o)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            return None
    return None
