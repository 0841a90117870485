"""Signature lines: who signed, as attorney-in-fact or not, and for which owner.

A raw ``signatureName`` is read in two steps. :func:`_read` parses the text alone
(cached, as the same strings recur across filings) into the signer, whether the
wording says the signer acts under a power of attorney, and the principal the text
names, if any. :func:`parse_signature` then resolves that principal against the
filing's reporting owners (by the tolerant name matching of
:mod:`insidergraph.loaders.owner_match`).

The rules (documented choices):

* **Attorney-in-fact** wording ("Attorney-in-Fact", "Atty-in-Fact", "by/under power of
  attorney", "POA", "X on behalf of Y" by someone other than an owner, and "By: X For:
  the Reporting Person") makes ``attorney_in_fact`` true. A named principal ("for Y",
  "to Y", "Y by X, attorney-in-fact", "Y / X POA") is matched to an owner by name;
  with a single owner the principal is that owner (the only one a power of attorney
  on that filing can be for); with several and no name match it stays ``None``.
* **Authorised signatories** of an entity ("BANK OF AMERICA CORP /DE/ By: Its:
  Authorized Signatory X", "Mithril LP By: Mithril GP LP, its general partner By: /s/
  X, Authorized Person", "/s/ X, Managing Member, A LLC, General Partner of B LP") are
  not attorneys-in-fact: the signer is the person X and the principal is the
  outermost entity named (the first of a "By:" chain, the last of an "of" chain),
  when it matches an owner. Where two officers sign one line, the first is the signer.
* **Plain signatures** ("/s/ Roelof Botha"): the signer signs for themself, so the
  principal is the owner whose name matches the signer's, else ``None``; a plain
  signature never links to an owner it does not name.

* **Wording is normalised first**: trailing marks (``*``, ``**``, ``(1)``, ``[2]``,
  superscripts), remarks about the power ("(power of attorney previously filed)", "on file
  with the Commission", "pursuant to a power of attorney"), parentheses round the role,
  "Attorney in Fact", "Attorney- in-Fact", "AIF", "as attorney for", "as Agent" (all read as
  attorney-in-fact), a leading "by" without colon, "Name: X, Title: T" and "By\"" typos.
  "from Y" and "on behalf of Y" name the principal like "for Y".
* **No person, no signer**: exhibit references ("See Signatures Included in Exhibit 99.2"),
  placeholders ("Reporting Person", "N/A", "*Signature on file"), a bare role
  ("Attorney-in-Fact", "Chief Financial Officer") and an entity name that is no owner of the
  filing give ``signer=None``; the raw ``text`` stays on the signature.

Names match tolerantly: case, punctuation, "LAST FIRST" against "First Last", middle
names against initials, and first names sharing three letters ("Erik"/"Eric");
entities match after legal forms are normalised ("Corporation" = "CORP", "L.P." =
"LP", "/DE/" dropped) or with one misspelt word of four letters or more.

>>> parse_signature("/s/ Jung Yeon Son, Attorney-in-Fact", None, ()).attorney_in_fact
True
>>> parse_signature("By: Aaron Beckman by Power of Attorney For: Elon Musk", None, ()).signer
'Aaron Beckman'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from insidergraph.loaders.memo import memo
from insidergraph.loaders.names import owner_kind
from insidergraph.loaders.owner_match import find_owner
from insidergraph.model import ReportingOwner, Signature

_SPACE = re.compile(r"\s+")
_AIF = r"(?:attorney|atty\.?)[-\s]+in[-\s]+fact|\bAIF\b"
_POA = r"power\s+of\s+attorney|\bPOA\b"
_LEAD = re.compile(r"^(?:\s*(?:by\s*:|by\s+(?!power\b|poa\b)(?=\S)|/s/|its\s*:)\s*)+", re.IGNORECASE)
_SLASH_S = re.compile(r"/s/\s*", re.IGNORECASE)
# "BANK OF AMERICA CORP /DE/ By: Its: ...", "... by its Authorized Signatory X", "X LLC, /s/ Y".
_BY_CLAUSE = re.compile(r"(\bBy\b\s*:?|(?<=\S)\s*/s/)", re.IGNORECASE)
_AUTH_SIGNATORY = re.compile(r"^(?:its\s*:?\s*)?authori[sz]ed\s+signatory\s+", re.IGNORECASE)
# "Brian T. Moynihan / Michael P. Lapp POA": principal / attorney.
_SLASH_POA = re.compile(r"^(?P<y>[^/]+?)\s*/\s*(?P<x>[^/]+?)\s+POA\.?$", re.IGNORECASE)
# "By: X by Power of Attorney For: Y", "By: Charles Baker For: the Reporting Person".
_FOR_COLON = re.compile(r"^(?P<x>.+?)\s+For\s*:\s*(?P<y>.+)$", re.IGNORECASE)
_AIF_TAIL = re.compile(
    rf"[,\s]+(?:as|by|under|pursuant\s+to)?\s*(?:an?\s+)?(?:{_AIF}|{_POA})\.?\s*$", re.IGNORECASE
)
# "Roelof Botha, by Kathy Hibbs, attorney-in-fact": principal first, attorney after "by".
_REVERSED = re.compile(
    rf"^(?P<y>.+?),?\s+by\s*:?\s+(?!power\b|poa\b)(?P<x>.+?),?\s+(?:as\s+)?(?:an?\s+)?(?:{_AIF})\.?$",
    re.IGNORECASE,
)
# "X, Attorney-in-Fact [for Y]", "X as attorney-in-fact for Y", "X under POA", ...
_FORWARD = re.compile(
    rf"^(?P<x>.+?)[,\s]+(?:as\s+|by\s+|under\s+|pursuant\s+to\s+)?(?:an?\s+)?(?:{_AIF}|{_POA})\.?"
    rf"(?:[,\s]+(?:for|to|of|from|on\s+behalf\s+of)\s*:?\s*(?P<y>.+?))?\.?$",
    re.IGNORECASE,
)
_ON_BEHALF = re.compile(r"^(?P<x>.+?),?\s+on\s+behalf\s+of\s+(?P<y>.+)$", re.IGNORECASE)
_HIMSELF = re.compile(r"^(?:him|her|them)sel(?:f|ves)\b", re.IGNORECASE)
_REPORTING_PERSON = re.compile(r"^(?:the\s+)?reporting\s+(?:person|owner)s?\.?$", re.IGNORECASE)
_OF_ENTITY = re.compile(
    r"^(?:the\s+)?(?:(?:sole|managing|general|chief|executive|financial|operating|vice|co-?)[\w\s&-]*?\s+)?"
    r"(?:general\s+partner|partner|manager|member|trustee|officer|director|president|counsel|secretary)"
    r"\s+of\s+(?P<y>.+)$",
    re.IGNORECASE,
)
_SIGNATORY_FOR = re.compile(
    r"^authori[sz]ed\s+(?:signatory|person)\s+(?:for|of)\s+(?P<y>.+)$", re.IGNORECASE
)
_SUFFIX_PART = re.compile(r"^(?:jr|sr|ii|iii|iv)\.?$", re.IGNORECASE)
_ENDS_SUFFIX = re.compile(r"\b(?:jr|sr)\.$", re.IGNORECASE)

# --- normalising the wording before it is read ---------------------------------------
# Footnote marks and asterisks at the end ("Attorney-in-Fact*", "(1)", "[2]", superscripts).
_TRAILING_MARKS = re.compile(
    r"(?:\s*(?:\*+|\(\s*\d{1,2}\s*\)|\[\s*\d{1,2}\s*\]|[\u00b9\u00b2\u00b3\u2070-\u2079]+))+\s*$")
_LEADING_MARKS = re.compile(r"^\s*\*+\s*")
# Remarks about the power of attorney, which say nothing about who signed for whom.
_POA_REMARK = re.compile(
    r"\s*\(\s*(?:the\s+)?(?:power\s+of\s+attorney|poa)\s+(?:previously\s+filed|on\s+file)[^)]*\)\s*$"
    r"|\s+(?:previously\s+filed|on\s+file(?:\s+with\s+the\s+(?:commission|sec))?)\.?\s*$",
    re.IGNORECASE,
)
_PURSUANT = re.compile(r",?\s+pursuant\s+to\s+(?:a|an|the)?\s*power\s+of\s+attorney\.?\s*$", re.IGNORECASE)
_ANY_AIF = re.compile(rf"{_AIF}|{_POA}", re.IGNORECASE)
_PAREN_ROLE = re.compile(rf"\s*\(\s*((?:as\s+)?(?:{_AIF}|{_POA})(?:\s+(?:for|to)\s+[^)]*)?)\s*\)", re.IGNORECASE)
_AS_ATTORNEY = re.compile(r"\bas\s+(?:(?:an?|the)\s+)?(?:attorney|agent)(?!\s*-?\s*in\b)\b", re.IGNORECASE)
_AS_TITLE_OF = re.compile(
    r"\s+as\s+(?=(?:the\s+)?[\w\s-]*?\b(?:member|partner|manager|trustee|officer|director|president)\s+of\b)",
    re.IGNORECASE,
)
_BY_QUOTE = re.compile(r"\bBy\s*\"\s*", re.IGNORECASE)
# "/s/ X, Name: X, Title: T" -> "X, T".
_NAME_TITLE = re.compile(
    r"(?P<n>[^,/:]+?),?\s+Name\s*:\s*(?P=n)\s*,?\s*Title\s*:\s*", re.IGNORECASE
)
# A person principal, a "/s/" and the attorney: "Michael J. Angelakis /s/ David Caplan, ...".
_NAME_SLASH_S = re.compile(r"^(?P<y>[^/]+?),?\s*(?:by\s*:?\s*)?/s/\s*(?P<rest>.+)$", re.IGNORECASE)

# Signatures that name nobody: exhibit references, placeholders and bare roles.
_PLACEHOLDER = re.compile(
    r"^(?:see\b.*|.*\bexhibit\s+\d.*|.*\bsignatures?\s+(?:is\s+|are\s+)?(?:on\s+file|included|attached|"
    r"follow|appear|set\s+forth).*|signatures?|n/?a|none|not\s+applicable|unknown|name|signature\s+of\s+"
    r"reporting\s+person|(?:the\s+)?reporting\s+(?:person|owner)s?)\.?$",
    re.IGNORECASE,
)
_ROLE_WORDS = frozenset(
    """ATTORNEY IN FACT ATTY AIF POA POWER OF AS BY FOR THE A AN AUTHORIZED AUTHORISED SIGNATORY PERSON
    DIRECTOR OFFICER CHIEF EXECUTIVE FINANCIAL OPERATING LEGAL ACCOUNTING PRESIDENT VICE SENIOR EXECUTIVE
    SECRETARY ASSISTANT TREASURER GENERAL COUNSEL PARTNER MANAGING MEMBER MANAGER SOLE TRUSTEE AGENT
    REPORTING OWNER CEO CFO COO CLO SVP EVP VP AND CO CHAIRMAN CHAIR""".split()
)


_TITLE_WORDS = _ROLE_WORDS - frozenset("A AN THE AS BY FOR OF AND CO".split())


def _normalise(text: str) -> str:
    """One spelling for each wording: marks, remarks and parentheses out, roles spelt alike."""
    s = _SPACE.sub(" ", text).strip()
    s = _TRAILING_MARKS.sub("", _LEADING_MARKS.sub("", s))
    s = _POA_REMARK.sub("", s)
    if _PURSUANT.search(s):
        s = _PURSUANT.sub("", s)
        if not _ANY_AIF.search(s):
            s += ", by power of attorney"
    s = _TRAILING_MARKS.sub("", s)
    s = _PAREN_ROLE.sub(lambda m: ", " + m.group(1), s)
    s = _AS_ATTORNEY.sub("as attorney-in-fact", s)
    s = _AS_TITLE_OF.sub(", ", s)
    s = _BY_QUOTE.sub("By: ", s)
    s = _NAME_TITLE.sub(lambda m: m.group("n").strip() + ", ", s)
    return s.strip().strip(",;").strip()


def is_placeholder(name: str) -> bool:
    """True when a signature (or the signer read from it) names no person.

    >>> [is_placeholder(t) for t in ("See Signatures Included in Exhibit 99.2", "N/A",
    ...                              "*Signature on file", "Attorney-in-Fact", "Jane Roe")]
    [True, True, True, True, False]
    """
    s = _SLASH_S.sub("", _LEADING_MARKS.sub("", _SPACE.sub(" ", name))).strip(" .,;:*")
    if not s or _PLACEHOLDER.match(s) or not re.search(r"[A-Za-z]{2}", s):
        return True
    words = re.sub(r"[^A-Za-z]+", " ", s).upper().split()
    return all(w in _ROLE_WORDS for w in words)


class _Reading(NamedTuple):
    """What the text alone says: signer, attorney-in-fact wording, principal."""

    signer: str | None
    attorney_in_fact: bool
    principal: str | None  # a name, "reporting person", or None when unnamed
    # "X on behalf of Y": X is an attorney unless X is an owner (an officer signing
    # for its entity, or "on behalf of himself and each other reporting person").
    on_behalf: bool = False


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip().strip(",;").strip()


_GIVEN_PART = re.compile(r"^(?:[A-Z]\.\s*)+(?:[A-Z][a-z]+)?$|^[A-Z][a-z]+\s+(?:[A-Z]\.\s*)+$")


def _name_part(text: str) -> str:
    """The name at the head of "Name[, Jr.], Title, ...", without "/s/" or "By:".

    "Bingham, R. Dean" (a surname, then given names with an initial) is read as one name.
    """
    text = _LEAD.sub("", _clean(text))
    text = _AUTH_SIGNATORY.sub("", text)
    parts = [p.strip() for p in text.split(",")]
    name = parts[0]
    if len(parts) > 1 and _SUFFIX_PART.match(parts[1]):
        name = f"{name}, {parts[1]}"
    elif len(parts) > 1 and len(name.split()) == 1 and _GIVEN_PART.match(parts[1]):
        name = f"{parts[1]} {name}"
    words = name.split()
    # "Andrei Karkar Chief Executive Officer": a title written without a comma.
    while len(words) > 2 and words[-1].strip(".").upper() in _TITLE_WORDS:
        words.pop()
    name = " ".join(words)
    return name.strip() if _ENDS_SUFFIX.search(name) else name.strip(" .")


def _principal_of_titles(parts: list[str]) -> str | None:
    """The outermost entity named in the title parts after a signer's name."""
    found: str | None = None
    for i, part in enumerate(parts):
        m = _OF_ENTITY.match(part) or _SIGNATORY_FOR.match(part)
        if m:
            # The name may run on past a comma ("BofA Securities, Inc."); the owner
            # lookup tries it whole and then shorter.
            found = ", ".join([m.group("y"), *parts[i + 1 :]])
        elif len(part.split()) > 1 and owner_kind(part) == "entity":
            found = part  # a bare "Inc." or "L.P." is the tail of the name before it
    return found


def _read_chain(text: str) -> _Reading | None:
    """An entity signing through "By:" clauses (or "Entity, /s/ X"), or None if the text is not one.

    The signer is the first person after a "/s/", else the first person named; the wording
    of the signer's own clause says whether they sign as attorney-in-fact. The principal is
    the entity at the head.
    """
    pieces = _BY_CLAUSE.split(text)
    head = pieces[0].strip(" ,.;")
    if len(pieces) < 3 or not head or owner_kind(_SLASH_S.sub("", head)) != "entity":
        return None
    candidates: list[tuple[bool, str, str]] = []
    for sep, clause in zip(pieces[1::2], pieces[2::2]):
        name = _name_part(_AIF_TAIL.sub("", clause))
        if name and not is_placeholder(name) and owner_kind(name) == "person":
            candidates.append(("/s/" in sep.lower() or clause.lstrip().lower().startswith("/s/"), name, clause))
    if not candidates:
        return _Reading(None, False, _SLASH_S.sub("", head).strip(" ,."))
    _, signer, clause = next((c for c in candidates if c[0]), candidates[0])
    aif = _ANY_AIF.search(clause) is not None
    # "A GP LLC, General Partner of A Fund LP, by /s/ X": the fund is the outermost entity.
    head = _SLASH_S.sub("", head).strip(" ,.")
    parts = [p.strip() for p in head.split(",")]
    return _Reading(signer, aif, _principal_of_titles(parts[1:]) if any(
        _OF_ENTITY.match(p) for p in parts[1:]) else head)


def _person_or_none(name: str | None) -> str | None:
    return None if name is None or is_placeholder(name) else name


@memo(maxsize=4096)
def _read(text: str) -> _Reading:
    """Read a raw signature without looking at the filing's owners."""
    if is_placeholder(text):
        return _Reading(None, False, None)
    reading = _read_text(_normalise(text))
    return reading._replace(signer=_person_or_none(reading.signer))


def _name_slash_s(s: str) -> _Reading | None:
    """"Michael J. Angelakis /s/ David Caplan, attorney-in-fact for Michael Angelakis": a principal first."""
    m = _NAME_SLASH_S.match(s)
    if m and owner_kind(m["y"]) == "person" and not is_placeholder(m["y"]):
        inner = _read_text(m["rest"])
        return inner._replace(principal=inner.principal or _clean(m["y"]))
    return None


def _slash_poa(s: str) -> _Reading | None:
    """"Y / X POA": the principal, then the attorney."""
    m = _SLASH_POA.match(s)
    return _Reading(_name_part(m["x"]), True, _clean(m["y"])) if m else None


def _for_colon(s: str) -> _Reading | None:
    """"X [by power of attorney] For: Y"."""
    m = _FOR_COLON.match(s)
    return _Reading(_name_part(_AIF_TAIL.sub("", m["x"])), True, _clean(m["y"])) if m else None


def _reversed(s: str) -> _Reading | None:
    """"Y, by X, attorney-in-fact": the principal first."""
    m = _REVERSED.match(s)
    return _Reading(_name_part(m["x"]), True, _clean(_SLASH_S.sub("", m["y"]))) if m else None


def _on_behalf_poa(s: str) -> _Reading | None:
    """"X on behalf of Y by power of attorney"."""
    m = _ON_BEHALF.match(s)
    if m and _AIF_TAIL.search(m["y"]):
        return _Reading(_name_part(m["x"]), True, _clean(_AIF_TAIL.sub("", m["y"])))
    return None


def _forward(s: str) -> _Reading | None:
    """"X, Attorney-in-Fact [for Y]", "X as attorney-in-fact for Y", "X under POA", ..."""
    m = _FORWARD.match(s)
    return _Reading(_name_part(m["x"]), True, _clean(m["y"]) if m["y"] else None) if m else None


def _on_behalf(s: str) -> _Reading | None:
    """"X on behalf of Y": an attorney, unless X signs for himself or as an entity's officer."""
    m = _ON_BEHALF.match(s)
    if not m:
        return None
    y = _clean(m["y"])
    # "X on behalf of Y by power of attorney": the tail says what "on behalf" means.
    poa = _AIF_TAIL.search(y) is not None
    y = _AIF_TAIL.sub("", y)
    himself = _HIMSELF.match(y) is not None
    # "X, Director of its general partner, on behalf of Fund LP": an officer, not an attorney.
    officer = "," in m["x"].strip().rstrip(",") and owner_kind(y) == "entity" and not poa
    return _Reading(_name_part(m["x"]), not (himself or officer), None if himself else y,
                    on_behalf=not poa)


#: The wordings tried in turn, after an entity's "By:" chain and before a plain signature.
_WORDINGS = (_name_slash_s, _slash_poa, _for_colon, _reversed, _on_behalf_poa, _forward, _on_behalf)


def _plain(s: str) -> _Reading:
    """"X", "X, Title", "X, Authorized Signatory for Y", "X, Role, A LLC, GP of B LP"."""
    s = _AUTH_SIGNATORY.sub("", s)
    parts = [p.strip() for p in s.split(",")]
    name = _name_part(s)
    rest = parts[2:] if name.count(",") or (len(parts) > 1 and parts[1] in name) else parts[1:]
    return _Reading(name or None, False, _principal_of_titles(rest))


def _read_text(s: str) -> _Reading:
    """Read normalised signature text: the first wording that fits, else a plain signature."""
    chain = _read_chain(s)
    if chain is not None:
        return chain
    s = _LEAD.sub("", s)
    for wording in _WORDINGS:
        reading = wording(s)
        if reading is not None:
            return reading
    return _plain(s)


def read_signature(text: str) -> tuple[str | None, bool, str | None]:
    """What the text alone says: (signer, attorney-in-fact wording, principal named).

    The principal is the name the text gives for whom the signer acts ("Reporting Person"
    included), or ``None``; :func:`parse_signature` resolves it against the owners.

    >>> read_signature("Donna Kalazdy, by power of attorney from Michael Feld")
    ('Donna Kalazdy', True, 'Michael Feld')
    >>> read_signature("/s/ by Mark F. Hoffman as attorney-in-fact for Andrew Y. Ng")
    ('Mark F. Hoffman', True, 'Andrew Y. Ng')
    >>> read_signature("See Signatures Included in Exhibit 99.2")
    (None, False, None)
    """
    r = _read(text)
    return r.signer, r.attorney_in_fact, r.principal


def parse_signature(text: str, when: date | None, owners: Sequence[ReportingOwner]) -> Signature:
    """Derive signer, attorney-in-fact flag and the owner acted for from a raw signature.

    ``owners`` are the filing's reporting owners; ``on_behalf_of`` is the raw name of
    the one the signer acted for, or ``None`` when the text and owners cannot tell.

    >>> from insidergraph.model import ReportingOwner
    >>> botha = ReportingOwner(cik="0001222287", name="BOTHA ROELOF", display_name="Roelof Botha", kind="person")
    >>> s = parse_signature("/s/ Roelof Botha, by Kathy Hibbs, attorney-in-fact", None, [botha])
    >>> (s.signer, s.attorney_in_fact, s.on_behalf_of)
    ('Kathy Hibbs', True, 'BOTHA ROELOF')
    >>> parse_signature("/s/ Roelof Botha", None, [botha]).on_behalf_of
    'BOTHA ROELOF'
    """
    reading = _read(text)
    behalf: ReportingOwner | None = None
    principal = reading.principal
    aif = reading.attorney_in_fact
    signer_owner = find_owner(reading.signer, owners) if reading.on_behalf and reading.signer else None
    if signer_owner is not None:
        aif = False
        behalf = find_owner(principal, owners) if principal else signer_owner
    elif aif:
        if principal and not _REPORTING_PERSON.match(principal):
            behalf = find_owner(principal, owners)
        if behalf is None and len(owners) == 1:
            behalf = owners[0]
    elif principal:
        behalf = find_owner(principal, owners)
    elif reading.signer:
        behalf = find_owner(reading.signer, owners)
    signer = reading.signer
    # An entity signs only as itself, an owner of the filing; any other entity name
    # (an issuer's, a fund's that is not an owner) names no person who signed.
    if (signer is not None and owner_kind(signer) == "entity"
            and (behalf is None or find_owner(signer, owners) is not behalf)):
        signer = None
    return Signature(
        text=text,
        date=when,
        signer=signer,
        attorney_in_fact=aif,
        on_behalf_of=behalf.name if behalf else None,
        on_behalf_of_cik=behalf.cik if behalf else None,
    )
