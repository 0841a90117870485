"""Roles and officer titles in the words a person reads, for the terminal's tables and the page.

Display only: the graph, the exports and the query answers keep the role types and the titles
as filed (``OFFICER_OF``, ``Pres, Prod Architect & Chairmn``); what is shown on a screen goes
through :func:`role_in_words` and :func:`display_title`.

>>> role_in_words("OFFICER_OF", "CFO"), role_in_words("TEN_PERCENT_OWNER_OF")
('officer: Chief Financial Officer', '10% owner')
>>> display_title("Pres, Prod Architect & Chairmn")
'President, Product Architect and Chairman'
"""

from __future__ import annotations

import re

#: Relationship types in words; a type not named here is its name in lower case, without ``_``.
ROLE_WORDS: dict[str, str] = {
    "DIRECTOR_OF": "director",
    "OFFICER_OF": "officer",
    "TEN_PERCENT_OWNER_OF": "10% owner",
    "OTHER_RELATION_TO": "other",
    "OTHER_OF": "other",
    "ATTORNEY_IN_FACT_FOR": "attorney-in-fact for",
    "GRANTED_POWER_OF_ATTORNEY": "granted power of attorney to",
}

#: Abbreviations of officer titles, by the word in lower case (a trailing dot is dropped
#: with it). Only those whose reading is not in doubt: ``CCO`` (commercial or compliance?)
#: and ``CPO`` (people or product?) are left as filed.
ABBREVIATIONS: dict[str, str] = {
    "ceo": "Chief Executive Officer", "cfo": "Chief Financial Officer", "coo": "Chief Operating Officer",
    "cto": "Chief Technology Officer", "cao": "Chief Accounting Officer", "clo": "Chief Legal Officer",
    "cio": "Chief Information Officer", "cmo": "Chief Marketing Officer",
    "chro": "Chief Human Resources Officer", "gc": "General Counsel", "evp": "Executive Vice President",
    "svp": "Senior Vice President", "vp": "Vice President", "sr": "Senior", "pres": "President",
    "chmn": "Chairman", "chairmn": "Chairman", "chrmn": "Chairman", "exec": "Executive",
    "dir": "Director", "sec": "Secretary", "secy": "Secretary", "treas": "Treasurer",
    "off": "Officer", "ofc": "Officer", "ofcr": "Officer", "offcr": "Officer", "chf": "Chief",
    "mgmt": "Management", "mgr": "Manager", "mktg": "Marketing", "acctg": "Accounting",
    "eng": "Engineering", "tech": "Technology", "info": "Information", "prod": "Product",
    "ops": "Operations", "gen": "General", "asst": "Assistant", "dev": "Development",
    "hr": "Human Resources", "bd": "Board",
}

#: Words kept in lower case when a title filed in capitals is given its case back.
_SMALL = frozenset({"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to"})
_WORD = re.compile(r"([A-Za-z]+)(\.?)")
_ROLE_TEXT = re.compile(r"([A-Z][A-Z0-9_]*)(?:: (.*))?", re.DOTALL)


def _word(match: re.Match[str], shouting: bool) -> str:
    word, dot = match.group(1), match.group(2)
    expansion = ABBREVIATIONS.get(word.lower())
    if expansion is not None:
        return expansion
    if shouting and len(word) > 3:
        # Capitals filed for a whole title: words get their case back, short ones (CIB,
        # APAC's like) may be acronyms and stay as filed.
        return word.lower() if word.lower() in _SMALL else word.capitalize() + dot
    if shouting and word.lower() in _SMALL:
        return word.lower() + dot
    return word + dot


def display_title(title: str | None) -> str:
    """An officer's title as shown: abbreviations spelled out, ``&`` as ``and``, a space
    after each comma, capitals given their case back. The filed title stays in the data.

    >>> display_title("CEO") == display_title("Chief Executive Officer") == "Chief Executive Officer"
    True
    >>> display_title("Pres,Prod Architect & Director")
    'President, Product Architect and Director'
    >>> display_title("SVP, GC and Secretary")
    'Senior Vice President, General Counsel and Secretary'
    >>> display_title("EVP, Chief Human Resources Off")
    'Executive Vice President, Chief Human Resources Officer'
    >>> display_title("Co-CEO CIB"), display_title("SVP Powertrain and Energy Eng.")
    ('Co-Chief Executive Officer CIB', 'Senior Vice President Powertrain and Energy Engineering')
    >>> display_title("CHIEF EXECUTIVE OFFICER AND DIR"), display_title("  see remarks "), display_title(None)
    ('Chief Executive Officer and Director', 'See Remarks', '')
    """
    if not title:
        return ""
    text = " ".join(title.split())
    text = re.sub(r"\s*,\s*", ", ", text).strip(", ")
    text = re.sub(r"\s+&\s+", " and ", text)
    if text.lower() == "see remarks":
        return "See Remarks"
    shouting = not any(c.islower() for c in text)
    return _WORD.sub(lambda m: _word(m, shouting), text)


def role_in_words(role: str, detail: str | None = None) -> str:
    """A relationship type in words, with the officer's title or the other relation's text
    (through :func:`display_title`) after a colon.

    >>> role_in_words("DIRECTOR_OF"), role_in_words("OFFICER_OF", "CEO")
    ('director', 'officer: Chief Executive Officer')
    >>> role_in_words("OTHER_RELATION_TO", "Former Director and 10% Owner")
    'other: Former Director and 10% Owner'
    >>> role_in_words("ATTORNEY_IN_FACT_FOR"), role_in_words("OFFICER_OF", "")
    ('attorney-in-fact for', 'officer')
    """
    words = ROLE_WORDS.get(role, role.lower().replace("_", " "))
    shown = display_title(detail)
    return f"{words}: {shown}" if shown else words


def role_text_in_words(text: str) -> str | None:
    """A role as a query states it (``OFFICER_OF: CEO``, or the type alone) in words, or
    ``None`` when ``text`` is no such role.

    >>> role_text_in_words("OFFICER_OF: Pres, Merrill Wealth Mgmt")
    'officer: President, Merrill Wealth Management'
    >>> role_text_in_words("TEN_PERCENT_OWNER_OF"), role_text_in_words("Tesla, Inc."), role_text_in_words("CEO")
    ('10% owner', None, None)
    """
    match = _ROLE_TEXT.fullmatch(text)
    if match is None or match.group(1) not in ROLE_WORDS:
        return None
    return role_in_words(match.group(1), match.group(2))


__all__ = ["ABBREVIATIONS", "ROLE_WORDS", "display_title", "role_in_words", "role_text_in_words"]
