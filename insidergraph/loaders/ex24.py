"""Powers of attorney (EX-24 exhibits): who may sign Forms 3, 4 and 5 for whom.

An EX-24 is prose, not a form: "the undersigned hereby constitutes and appoints each of
Chris Cooper, Marie Klemchuk and Jung Yeon Son the undersigned's true and lawful
attorney-in-fact ...", signed "/s/ Roelof F. Botha". This module reads from its text:

* the **attorneys**: the names of the appointment clause, or of the list it points to
  ("the individuals named on Annex A", "each of the persons listed on Exhibit A", "each of
  the individuals listed below"), with firms and companies ("of Cooley LLP") left out;
* the **grantor** (the undersigned): the name under the first "/s/" after "IN WITNESS
  WHEREOF" (an entity line above a "By: /s/" is the grantor: a trust signing by its
  trustee); the graph prefers the reporting owner of a filing with one owner;
* the **companies** it covers when stated ("... of LinkedIn Corporation (the "Company")",
  "securities of Yahoo! Inc.", "Re: Microsoft Corporation - Power of Attorney");
* the **date signed** and whether it **revokes** earlier powers.

>>> text = ('POWER OF ATTORNEY Know all by these presents, that the undersigned hereby authorizes '
...         'Julia Hartz, Randy Befumo, and Samantha Harnett of Eventbrite, Inc., a Delaware corporation '
...         '(the "Company"), and An-Yen Hu of Goodwin Procter LLP, to execute for and on behalf of the '
...         'undersigned ... IN WITNESS WHEREOF, the undersigned has caused this Power of Attorney to be '
...         'executed as of this 20 day of August, 2018. /s/ Roelof Botha')
>>> poa = read_power_of_attorney(text)
>>> poa.attorneys, poa.grantor, poa.date_signed.isoformat(), poa.companies
(('Julia Hartz', 'Randy Befumo', 'Samantha Harnett', 'An-Yen Hu'), 'Roelof Botha', '2018-08-20', ('Eventbrite, Inc.',))
"""

from __future__ import annotations

import html
import re
from datetime import date

from insidergraph.errors import ParseError
from insidergraph.loaders.names import owner_kind
from insidergraph.model import PowerOfAttorney, Source

__all__ = ["document_text", "is_power_of_attorney", "parse_bytes", "read_power_of_attorney"]

_TAG_BREAK = re.compile(r"(?i)<\s*(?:br|/p|/div|/tr|/li|/h\d|p|div|tr|li|h\d|table|/table)\b[^>]*>")
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"(?is)<(script|style|head)\b.*?</\1\s*>")
_SPACES = re.compile(r"[ \t\u00a0\u200b]+")
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " "})
_IS_POA = re.compile(r"power\s+of\s+attorney", re.IGNORECASE)
_AIF_WORDS = re.compile(r"attorneys?\s*-?\s*in\s*-?\s*fact|hereby\s+(?:constitutes?|appoints?|authori[sz]es?)|"
                        r"have\s+granted", re.IGNORECASE)
_EMPTY_EX24 = re.compile(r"^\s*(?:exhibit|exhbit)\s+24(?:\.\d+)?\s*$", re.IGNORECASE)

_MONTHS = {m: i for i, m in enumerate(
    "january february march april may june july august september october november december".split(), 1)}
_MONTH = r"(?P<m>January|February|March|April|May|June|July|August|September|October|November|December)"
_DAY_OF = re.compile(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+day\s+of\s+{_MONTH},?\s+(?P<y>\d{{4}})", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"{_MONTH}\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}})", re.IGNORECASE)

_APPOINT = re.compile(
    r"(?:constitutes?|appoints?|authori[sz]es?|designates?)(?:\s*(?:,|and)\s*(?:makes|constitutes?|designates?|"
    r"appoints?))*\s+(?P<list>.+?)(?=,?\s*(?:the\s+undersigned|his\s+(?:or\s+her\s+)?true|her\s+true|my\s+true|"
    r"as\s+(?:the\s+)?(?:undersigned|such|his|her|my|its)|or\s+any\s+of\s+them|and\s+each\s+of\s+them|"
    r"each\s+acting|each\s+of\s+them|signing\s+singly|signing\s+individually|with\s+full\s+power|"
    r"to\s+execute|to\s+act|to\s*:|and\s+any\s+(?:assistant|of\s+their)|\(each|,\s*each))",
    re.IGNORECASE | re.DOTALL,
)
_LIST_POINTER = re.compile(
    r"(?:named|listed)\s+(?:on|in)\s+(?P<what>(?:Annex|Schedule|Exhibit|Appendix)\s+[A-Z1-9])\b"
    r"|(?P<below>(?:listed|named|set\s+forth)\s+below)",
    re.IGNORECASE,
)
_FIRM = re.compile(
    r"\s+of\s+(?:(?:[A-Z][\w.&'-]*|&)\s*,?\s*)+?(?:Inc\.?|LLP|LLC|L\.L\.P\.|Corporation|Corp\.?|Company|Ltd\.?|P\.C\.|"
    r"PLLC)(?:,\s*an?\s+[\w\s]+?(?:corporation|company))?(?:\s*\((?:the\s+)?\"?Company\"?\))?",
)
_ANNEX_HEADING = re.compile(r"individuals?\s+appointed|attorneys?-in-fact\s*:?$|^(?:annex|schedule|exhibit)\s+[A-Z]\b",
                            re.IGNORECASE)
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}[.)]|[a-z][.)]|[-\u2022*])\s*")
_NAME = re.compile(r"^(?:[A-Z][\w'\u2019.-]*|de|del|da|van|von|la|le)(?:\s+(?:[A-Z][\w'\u2019.-]*|de|del|da|van|von|"
                   r"la|le)){1,4}$")
_COMPANY = re.compile(
    r"(?:of|by)\s+(?P<c>[A-Z0-9][\w.!&,' -]{1,80}?)(?:,\s*an?\s+[\w\s]+?(?:corporation|company))?\s*\(\s*(?:the\s+)?"
    r"\"?\s*(?:Company|Corporation)\s*\"?\s*\)"
    r"|securities\s+of\s+(?P<s>[A-Z0-9][\w.!&' -]{1,80}?(?:,\s*Inc\.)?)(?=,|\s+in\s+accordance|\s+and\s)"
    r"|Re:\s*(?P<r>[A-Z][\w.!&,' -]{1,80}?)\s+-\s+Power\s+of\s+Attorney"
    r"|(?:officer|director)\s+of\s+(?P<o>[A-Z0-9][\w.!&' -]{1,80}?(?:Inc\.|Corporation|Co\.))",
)
_REVOKES = re.compile(
    r"(?:hereby\s+)?revok(?:e|es|ing)\s+(?:and\s+replaces\s+)?(?:my|any|all|each)\s+(?:prior|previous|earlier)"
    r"|replaces\s+any\s+(?:prior|previous)\s+power|supersedes?\s+(?:any|all)\s+(?:prior|previous)",
    re.IGNORECASE,
)
_WITNESS = re.compile(r"IN\s+WITNESS\s+WHEREOF|Sincerely", re.IGNORECASE)
_SLASH_S = re.compile(r"/\s*s\s*/\s*", re.IGNORECASE)
_SIG_STOP = re.compile(r"\s*(?:-{3,}|_{3,}|Name:|Print|Title:|Signature|Date[d]?:|\[|Witness|$)", re.IGNORECASE)
_ACCESSION_NAME = re.compile(r"(\d{10}-\d{2}-\d{6})")


def document_text(data: bytes) -> str:
    """The readable text of an EX-24 document (HTML or plain), one line per block, quotes made plain."""
    text = data.decode("utf-8", errors="replace")
    if re.search(r"(?i)<(?:html|body|p|div|font|table)\b", text):
        text = _TAG.sub(" ", _TAG_BREAK.sub("\n", _SCRIPT.sub(" ", text)))
        text = html.unescape(text)
    text = text.translate(_QUOTES)
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n")]
    return "\n".join(line for line in lines if line)


def is_power_of_attorney(text: str) -> bool:
    """True when the text reads as a power of attorney (or an EX-24 exhibit with no text).

    >>> is_power_of_attorney("LIMITED POWER OF ATTORNEY ... hereby constitutes and appoints ...")
    True
    """
    return bool(_EMPTY_EX24.match(text)) or (bool(_IS_POA.search(text[:3000])) and bool(_AIF_WORDS.search(text)))


def _date(match: re.Match[str]) -> date | None:
    try:
        return date(int(match["y"]), _MONTHS[match["m"].lower()], int(match["d"]))
    except ValueError:
        return None


def _date_signed(flat: str) -> date | None:
    at = _WITNESS.search(flat)
    for part in ((flat[at.start():],) if at else ()) + (flat,):
        found = [m for pat in (_DAY_OF, _MONTH_DAY) for m in pat.finditer(part)]
        for m in sorted(found, key=lambda m: m.start()):
            d = _date(m)
            if d is not None:
                return d
    return None


def _clean_name(name: str) -> str | None:
    name = re.sub(r"\s+", " ", name).strip(" ,.;:-_")
    name = re.sub(r"^(?:each\s+of|each|and|the\s+undersigned)\s+", "", name, flags=re.IGNORECASE).strip(" ,.;")
    return name if _NAME.match(name) else None


def _names_in(clause: str) -> tuple[str, ...]:
    clause = _FIRM.sub("", clause)
    out: list[str] = []
    for piece in re.split(r",|;|\band\b|\bor\b", clause):
        name = _clean_name(piece)
        if name and name not in out:
            out.append(name)
    return tuple(out)


def _listed_names(lines: list[str], start: int, stop: re.Pattern[str] | None = None) -> tuple[str, ...]:
    """Names one per line from ``lines[start:]`` until prose (or ``stop``) comes back."""
    out: list[str] = []
    for line in lines[start:]:
        if stop is not None and stop.search(line):
            break
        bare = _NUMBERING.sub("", line)
        for part in re.split(r"\s+\d{1,2}\.\s+", bare):  # "1. Kate DeHoff 2. Mustafa Rizvi" on one line
            name = _clean_name(part)
            if name and owner_kind(name) == "person" and len(name.split()) <= 5:
                out.append(name)
            elif out and len(part.split()) > 6:
                return tuple(out)
    return tuple(dict.fromkeys(out))


def _attorneys(lines: list[str], flat: str) -> tuple[str, ...]:
    m = _APPOINT.search(flat)
    clause = m["list"] if m else ""
    pointer = _LIST_POINTER.search(clause) or (None if clause.strip() else _LIST_POINTER.search(flat))
    if m and not pointer and not re.search(r"listed\s+below", flat[m.start(): m.start() + 300], re.IGNORECASE):
        return _names_in(clause)
    if pointer is not None and pointer["what"]:
        heading = re.compile(rf"^{re.escape(pointer['what'])}\b", re.IGNORECASE)
        at = [i for i, line in enumerate(lines) if heading.search(line)]
        if at:
            start = at[-1] + 1
            while start < len(lines) and _ANNEX_HEADING.search(lines[start]):
                start += 1
            return _listed_names(lines, start)
    # "I have granted each of the individuals listed below the authority ..."
    at = [i for i, line in enumerate(lines) if re.search(r"listed\s+below|named\s+below", line, re.IGNORECASE)]
    if at:
        return _listed_names(lines, at[0] + 1, re.compile(r"^(?:This\s+Power|Sincerely)", re.IGNORECASE))
    return _names_in(clause)


def _grantor(flat: str) -> str | None:
    at = _WITNESS.search(flat)
    tail = flat[at.end():] if at else flat
    sig = _SLASH_S.search(tail)
    if sig is None:
        m = re.search(r"(?:Print(?:ed)?\s+)?Name:\s*([A-Z][\w.' -]+?)(?=\s*(?:-{3,}|Title:|Date|$))", tail)
        return m.group(1).strip() if m else None
    before = tail[: sig.start()]
    # An entity line just above "By: /s/" is the grantor (a trust, by its trustee).
    head = re.split(r"\.\s+", before.strip())[-1]
    head = re.sub(r"\s*By\s*:?\s*$", "", head, flags=re.IGNORECASE).strip()
    prose = re.search(r"(?i)^(?:date|this|signature)|undersigned|executed|witness", head)
    if head and owner_kind(head) == "entity" and len(head.split()) > 1 and not prose:
        return re.sub(r"\s+", " ", head)
    m = _SIG_STOP.search(tail, sig.end())
    name = re.sub(r"\s+-\s*\d+\s*-.*$", "", tail[sig.end(): m.start() if m else None]).strip()
    name = re.split(r"\s+(?:January|February|March|April|May|June|July|August|September|October|November|"
                    r"December)\s+\d", name)[0]
    words = name.split()
    # "/s/ Roelof Botha Roelof Botha" (the signature, then the printed name).
    half = len(words) // 2
    if len(words) % 2 == 0 and half and words[:half] == words[half:]:
        words = words[:half]
    return " ".join(words[:5]).strip(" ,.") or None


def _companies(flat: str) -> tuple[str, ...]:
    out: list[str] = []
    for m in _COMPANY.finditer(flat):
        c = next(g for g in (m["c"], m["s"], m["r"], m["o"]) if g)
        c = re.sub(r"^(?:the\s+)?(?:Company|undersigned)\b.*", "", c).strip(" ,")
        c = re.sub(r"^.*\b(?:of|by)\s+(?=[A-Z])", "", c)
        if c and c not in out and len(c.split()) <= 8:
            out.append(c)
    return tuple(out)


def read_power_of_attorney(text: str, source: Source | None = None, accession: str | None = None,
                           document: str | None = None) -> PowerOfAttorney:
    """Read a power of attorney from its text (see the module's doc for what is read)."""
    lines = [line for line in text.split("\n") if line.strip()]
    flat = " ".join(lines)
    return PowerOfAttorney(
        grantor=_grantor(flat),
        attorneys=_attorneys(lines, flat),
        companies=_companies(flat),
        date_signed=_date_signed(flat),
        revokes_prior=bool(_REVOKES.search(flat)),
        accession=accession,
        document=document,
        source=source,
    )


def parse_bytes(data: bytes, path: str) -> PowerOfAttorney:
    """Read a standalone EX-24 exhibit file; the accession comes from its name when it has one.

    A file that is an EX-24 with no text to read (the power scanned as an image) is an error
    naming the file. A power that names no individual ("the responsible attorneys and
    paralegals of the Corporation") is kept with no attorneys.
    """
    text = document_text(data)
    if _EMPTY_EX24.match(text):
        raise ParseError(path, "EX-24 exhibit without text (the power of attorney is probably an image)", 1)
    m = _ACCESSION_NAME.search(path.rsplit("/", 1)[-1])
    poa = read_power_of_attorney(text, Source(path=path, format="ex24"), m.group(1) if m else None,
                                 path.rsplit("/", 1)[-1])
    return poa
