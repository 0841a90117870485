"""Owner names: person or entity, display names, and normalised keys for merging.

EDGAR files a reporting owner's name as one string, usually ``LAST FIRST MIDDLE``
for persons ("BOTHA ROELOF") but not always ("Sergey Brin" and "Brin Sergey" share
a CIK). This module decides offline, from the string alone, whether the owner is a
person or an entity, renders a readable display name, and gives a key that merges
spellings of one person.

>>> owner_kind("BOTHA ROELOF")
'person'
>>> owner_kind("BERKSHIRE HATHAWAY INC")
'entity'
>>> display_name("BOTHA ROELOF", "person")
'Roelof Botha'
>>> display_name("Sergey Brin", "person")
'Sergey Brin'
>>> display_name("BANK OF AMERICA CORP /DE/", "entity")
'BANK OF AMERICA CORP'
>>> person_key("Jung-Yeon Son") == person_key("JUNG YEON SON") == person_key("Son, Jung Yeon")
True
"""

from __future__ import annotations

import re
import unicodedata

from insidergraph.loaders.memo import memo
from insidergraph.model import OwnerKind

_SPACE = re.compile(r"\s+")
# EDGAR appends a state or role code to conformed names, persons included
# ("SMITH JOHN /NY/", "BANK OF AMERICA CORP /DE/", "FARNAM STREET PARTNERS LP /MN").
_STATE_SUFFIX = re.compile(r"\s*/[A-Za-z]{2,4}/?\s*$")
_TOKEN_PUNCT = re.compile(r"[.,()\[\]]")

# Words that only a legal entity's name carries, compared after dots are removed
# ("L.P." -> "LP"). "CO" counts only after the first word (a person may be surnamed Co).
_ENTITY_WORDS = frozenset(
    """INC INCORPORATED CORP CORPORATION COMPANY COMPANIES LLC LLLP LLP LP LTD LIMITED PLC
    GMBH SARL TRUST TRUSTS FUND FUNDS PARTNERS PARTNERSHIP HOLDINGS HOLDING BANK BANC
    BANCORP BANCORPORATION CAPITAL GROUP FOUNDATION ASSOCIATES ASSOCIATION ADVISERS ADVISORS
    MANAGEMENT INVESTMENT INVESTMENTS INVESTORS VENTURES SECURITIES FUNDING EQUITY
    ENTERPRISES INDUSTRIES INTERNATIONAL ESTATE FAMILY CHARITABLE ENDOWMENT UNIVERSITY
    COLLEGE SOCIETY INSTITUTE FINANCIAL SERVICES TECHNOLOGIES PHARMACEUTICALS
    OPPORTUNITIES""".split()
)
# Foreign legal forms that are also plausible name syllables ("SA", "SE", "AS"): they
# count when written with dots or mixed case ("S.A.", "ApS"), when three letters or
# longer, or as the last of at least three words.
_LEGAL_FORMS = frozenset("AG SA AB NV BV SE AS KG OY KK APS PTE SPA SRL OYJ KGAA LTDA SAS SCSP SCA".split())
_DIGIT = re.compile(r"\d")

_SUFFIXES = {"JR": "Jr.", "SR": "Sr.", "II": "II", "III": "III", "IV": "IV", "MD": "M.D.",
             "PHD": "Ph.D.", "ESQ": "Esq."}
_PARTICLES = frozenset("VON VAN DE DEL DELLA DER DEN DA DI DU LA LE DOS DAS TER TEN ST".split())
_INITIAL = re.compile(r"^[A-Za-z]\.?$")
_MC = re.compile(r"^(Mc)([a-z])")

# Common given names: the only hint that a two-word name is in "First Last" order
# (e.g. "Sergey Brin") rather than EDGAR's "LAST FIRST". A name is read as First Last
# only when its first word is listed here and its last word is not, so a missing name
# leaves the EDGAR reading in force. Where both words are given names ("Mason Mark")
# the EDGAR order wins; where neither is listed, too.
_GIVEN_NAMES = frozenset(
    """AARON ADAM ALAN ALBERT ALEX ALEXANDER ALEXEI ALICE ALLEN AMY ANDREA ANDREW ANDREY ANGELA
    ANN ANNA ANNE ANTHONY ARTHUR BARBARA BEN BENJAMIN BETTY BILL BRAD BRADFORD BRANDON BRENDA
    BRIAN BRUCE CARL CARLOS CAROL CAROLYN CATHERINE CHAD CHARLES CHRIS CHRISTINA CHRISTINE
    CHRISTOPHER CRAIG CYNTHIA DANIEL DAVID DEBORAH DENNIS DIANA DIANE DMITRY DONALD DONNA
    DOROTHY DOUGLAS EDWARD ELENA ELIZABETH EMILY EMMA ERIC ERIK ERIN FRANK GARY GEORGE GREGORY
    HEATHER HELEN HENRY HUGH IVAN JACK JAMES JANE JANET JASON JEFF JEFFREY JENNIFER JEREMY
    JESSICA JOHN JONATHAN JOSEPH JOSHUA JULIA JULIE JUSTIN KAREN KATHERINE KATHLEEN KATHRYN
    KATHY KEITH KELLY KENNETH KEVIN KIMBERLY LARRY LAURA LAUREN LINDA LINDSAY LISA MARGARET
    MARIA MARIE MARISSA MARK MARY MATTHEW MAX MELISSA MICHAEL MICHELLE NANCY NICHOLAS NICOLE
    OLIVIA PAMELA PATRICIA PATRICK PAUL PENNY PETER PHILIP RACHEL RANDALL RAYMOND REBECCA REID
    RICHARD ROBERT RONALD RUTH RYAN SAM SAMUEL SANDRA SARAH SCOTT SERGEY SHARON STEPHANIE
    STEPHEN STEVE STEVEN SUSAN THOMAS TIM TIMOTHY TODD VIRGINIA WALTER WARREN WILLIAM
    YURI""".split()
)


def _strip_state(name: str) -> str:
    return _STATE_SUFFIX.sub("", name)


@memo(maxsize=8192)
def owner_kind(name: str) -> OwnerKind:
    """Decide offline whether a reporting owner's name is a person's or an entity's.

    An entity's name carries a legal form or an organisational word (INC, LLC, L.P.,
    TRUST, FUND, BANK, HOLDINGS, ApS, ...) or a digit ("CapitalG 2014 LP"); every other
    name is a person's. EDGAR's "/DE/" state suffix is ignored: persons carry it too.

    >>> [owner_kind(n) for n in ("Musk Elon", "Reid Hoffman & Michelle Yee Living Trust",
    ...                          "OTEE 2020 ApS", "JPMORGAN CHASE & CO", "SMITH JOHN /NY/")]
    ['person', 'entity', 'entity', 'entity', 'person']
    """
    raw = _strip_state(_SPACE.sub(" ", name).strip())
    if _DIGIT.search(raw):
        return "entity"
    words = [w for w in raw.replace(",", " ").split() if w not in ("&", "-")]
    for i, word in enumerate(words):
        bare = _TOKEN_PUNCT.sub("", word).upper()
        if bare in _ENTITY_WORDS or (bare == "CO" and i > 0):
            return "entity"
        if bare in _LEGAL_FORMS:
            marked = "." in word or (not word.isupper() and not word.islower())
            if marked or len(bare) >= 3 or (i == len(words) - 1 and len(words) >= 3):
                return "entity"
    return "person"


def _case_word(word: str, lower_particle: bool) -> str:
    """Title-case one all-caps or all-lower word; leave a mixed-case word as filed."""
    if any(c.isupper() for c in word) and any(c.islower() for c in word):
        return word  # the filer's own casing ("McMahon", "MacGregor", "DeHoff", "von")
    bare = word.rstrip(".").upper()
    if lower_particle and bare in _PARTICLES:
        return word.lower()
    if bare in ("II", "III", "IV"):
        return bare
    if _INITIAL.match(word):
        return word.upper()
    # Capitalise each part after a hyphen or apostrophe: O'Brien, Wilson-Thompson.
    out = re.sub(r"[A-Za-z]+", lambda m: m.group(0).capitalize(), word.lower())
    # "Mc" is always a prefix; "Mac" is not (Mack, Macy, Machado), so it stays "Macgregor".
    return _MC.sub(lambda m: m.group(1) + m.group(2).upper(), out) if len(out) > 3 else out


def _split_suffix(words: list[str]) -> tuple[list[str], list[str]]:
    suffix: list[str] = []
    while len(words) > 2 and words[-1].rstrip(".").replace(".", "").upper() in _SUFFIXES:
        suffix.insert(0, words.pop())
    return words, suffix


def _render_suffix(word: str) -> str:
    bare = word.replace(".", "").upper()
    if any(c.isupper() for c in word) and any(c.islower() for c in word):
        return word
    return _SUFFIXES[bare]


def _person_parts(name: str) -> tuple[list[str], list[str], list[str]]:
    """Split a person's name into (given words, surname words, suffix words).

    Reads "Last, First Middle" when there is a comma; otherwise EDGAR's "LAST FIRST
    MIDDLE" unless the name shows natural order: a particle after the first word
    ("Casper von Koskull") or a listed given name first and an unlisted word last
    ("Sergey Brin", "Sergey M Brin").
    """
    text = _strip_state(_SPACE.sub(" ", name).strip())
    if "," in text:
        head, _, rest = text.partition(",")
        tail = rest.replace(",", " ").split()
        tail, suffix = _split_suffix([*head.split(), "\x00", *tail])
        cut = tail.index("\0")
        surname, given = tail[:cut], tail[cut + 1 :]
        if given:
            return given, surname, suffix
        text = " ".join(surname)
    words, suffix = _split_suffix(text.split())
    if len(words) < 2:
        return [], words, suffix
    upper = [w.rstrip(".").upper() for w in words]
    # Leading particles belong to the surname in EDGAR order: "von Koskull Casper".
    lead = 0
    while lead < len(words) - 2 and upper[lead] in _PARTICLES:
        lead += 1
    if lead:
        return words[lead + 1 :], words[: lead + 1], suffix
    inner = [i for i in range(1, len(words) - 1) if upper[i] in _PARTICLES]
    natural = bool(inner) or (
        upper[0] in _GIVEN_NAMES
        and upper[-1] not in _GIVEN_NAMES
        and (len(words) == 2 or (len(words) == 3 and _INITIAL.match(words[1]) is not None))
    )
    if natural:
        cut = inner[0] if inner else len(words) - 1
        return words[:cut], words[cut:], suffix
    return words[1:], words[:1], suffix


@memo(maxsize=8192)
def display_name(name: str, kind: OwnerKind) -> str:
    """A readable name: persons as "First Middle Last [Suffix]", entities as filed.

    Persons: EDGAR's "LAST FIRST MIDDLE" is turned round, "Last, First" too; a name that
    already reads "First Last" is recognised only by a short list of common given
    names (see ``_GIVEN_NAMES``), so an unusual first name in natural order is read
    as a surname (it cannot be known from the string alone). All-caps words are
    title-cased (O'Brien, McMahon, Wilson-Thompson, particles "von"/"de" lower-case
    inside a name); words the filer wrote in mixed case are kept as written.
    Entities keep their name; only whitespace and an EDGAR "/DE/" suffix go.

    >>> display_name("Moritz Robert Edward Jr.", "person")
    'Robert Edward Moritz Jr.'
    >>> display_name("O'BRIEN DEIRDRE", "person"), display_name("von Koskull Casper Wilhelm", "person")
    ("Deirdre O'Brien", 'Casper Wilhelm von Koskull')
    """
    if kind == "entity":
        return _strip_state(_SPACE.sub(" ", name).strip()) or _SPACE.sub(" ", name).strip()
    given, surname, suffix = _person_parts(name)
    words = [_case_word(w, lower_particle=False) for w in given]
    words += [_case_word(w, lower_particle=bool(words) or i > 0) for i, w in enumerate(surname)]
    words += [_render_suffix(w) for w in suffix]
    return " ".join(words)


_KEY_DROP = re.compile(r"/s/|[.'\u2019]", re.IGNORECASE)
_KEY_SPLIT = re.compile(r"[^0-9A-Z]+")


@memo(maxsize=16384)
def person_key(name: str) -> str:
    """A key that merges spellings of one person's name.

    Case, accents, punctuation, hyphens ("Jung-Yeon" = "Jung Yeon"), apostrophes
    ("O'Brien" = "OBrien"), single-letter initials and word order ("BOTHA ROELOF" =
    "Roelof Botha") are ignored; every other word counts, so "Roelof Frederik Botha"
    and "Roelof Botha" stay apart (a middle *name* may tell two people apart), and
    so do "Jr." and "Sr.". Word order is ignored because EDGAR order and natural
    order both occur for one person; the price is that "James Renee" and
    "Renee James" share a key.

    >>> person_key("BOTHA ROELOF F.") == person_key("Roelof Botha")
    True
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).upper()
    words = _KEY_SPLIT.split(_KEY_DROP.sub("", text))
    return " ".join(sorted(w for w in words if len(w) > 1))
