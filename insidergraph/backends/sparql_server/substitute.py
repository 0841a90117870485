"""Parameters written into SPARQL text by SPARQL's grammar, for servers that have no
substitutions (the embedded engine binds them with pyoxigraph's).

:func:`substitute` reads the text as tokens (strings, IRIs, comments and variables are
whole tokens, so nothing inside a string or a comment is taken for a variable), then

- writes each parameter's value where its variable stands, as a typed literal whose
  characters are escaped by the grammar (``"`` ``\\`` and line ends), or an IRI that is
  checked to hold none of the characters an IRI reference cannot (``<>"{}|^`\\``,
  spaces, controls): a value is one token whatever it holds;
- drops the parameters from every projection and ``GROUP BY`` (a constant cannot stand
  there);
- applies the ``VALUES`` guards: a guard on parameters alone whose rows hold their values
  is dropped; one whose rows do not switches its group off, and a group switched off
  leaves the ``UNION`` it is a branch of.

>>> substitute('SELECT ?p ?n WHERE { ?p <urn:x:name> ?n FILTER(?n = ?who) }', {"who": 'a"b'})
'SELECT ?p ?n WHERE { ?p <urn:x:name> ?n FILTER(?n = "a\\\\"b") }'
>>> substitute('SELECT ?x ?on WHERE { { VALUES ?on { true } ?x <urn:x:a> 1 } UNION '
...            '{ VALUES ?on { false } ?x <urn:x:b> 2 } }', {"on": False})
'SELECT ?x WHERE { { ?x <urn:x:b> 2 } }'
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from insidergraph.errors import QueryError

_XSD = "http://www.w3.org/2001/XMLSchema#"
#: What an IRI reference may not hold (SPARQL's IRIREF production).
_BAD_IRI = re.compile(r'[<>"{}|^`\\\x00-\x20\x7f]')

_TOKEN = re.compile(
    r'(?P<ws>\s+|#[^\n]*)'
    r'|(?P<str>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    r'|(?P<var>[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)'
    r'|(?P<word>(?:[A-Za-z\u00c0-\uffff][\w\u00c0-\uffff-]*(?:\.[\w\u00c0-\uffff-]+)*)?:(?:[\w%\u00c0-\uffff-]+(?:\.[\w%\u00c0-\uffff-]+)*)?'
    r'|[A-Za-z_][A-Za-z0-9_]*)'
    r'|(?P<num>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)'
    r'|(?P<other>.)',
    re.DOTALL,
)
#: Where a projection or a GROUP BY list ends.
_AFTER_GROUP = {"HAVING", "ORDER", "LIMIT", "OFFSET", "VALUES"}
_OFF = "{ FILTER(false) }"


def term(value: Any) -> str:
    """``value`` as one SPARQL term: a typed literal, or an IRI (a ``NamedNode``) checked.

    >>> term(3), term(True), term(date(2021, 3, 1))
    ('"3"^^<http://www.w3.org/2001/XMLSchema#integer>', 'true', '"2021-03-01"^^<http://www.w3.org/2001/XMLSchema#date>')
    >>> term("} ; DROP ALL ; {\\n")
    '"} ; DROP ALL ; {\\\\n"'
    >>> import pyoxigraph as ox; term(ox.NamedNode("https://e.org/a"))
    '<https://e.org/a>'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f'"{value}"^^<{_XSD}integer>'
    if isinstance(value, float):
        return f'"{value!r}"^^<{_XSD}double>'
    if isinstance(value, Decimal):
        return f'"{value}"^^<{_XSD}decimal>'
    if isinstance(value, date):
        return f'"{value.isoformat()}"^^<{_XSD}date>'
    named = _iri_value(value)
    if named is not None:
        return iri(named)
    return '"' + _escape(str(value)) + '"'


def iri(value: str) -> str:
    """``value`` as an IRI reference, refused unless absolute and free of the characters
    an IRI reference cannot hold.

    >>> iri("https://e.org/a>b")
    Traceback (most recent call last):
    ...
    insidergraph.errors.QueryError: 'https://e.org/a>b' is not an IRI a query can hold (absolute, without spaces, controls or any of <>"{}|^`\\)
    """  # noqa: E501 (a doctest's expected output is one line)
    if _BAD_IRI.search(value) or not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
        raise QueryError(f"{value!r} is not an IRI a query can hold (absolute, without spaces, "
                         "controls or any of <>\"{}|^`\\)")
    return f"<{value}>"


def _iri_value(value: Any) -> str | None:
    """The IRI of a pyoxigraph ``NamedNode`` (not imported here: any object of that name)."""
    if type(value).__name__ == "NamedNode":
        return str(value.value)
    return None


def _escape(text: str) -> str:
    """A string's characters as the inside of a ``"..."`` literal (ECHAR escapes only:
    ``\\u`` escapes would be read before the grammar by some parsers)."""
    return (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r"))


def tokens(text: str) -> list[tuple[str, str]]:
    """The text as (kind, text) tokens; joined, they give the text back.

    >>> [t for t in tokens('SELECT ?a { ?a <u:p> "?b" } # ?c') if t[0] != "ws"]
    [('word', 'SELECT'), ('var', '?a'), ('other', '{'), ('var', '?a'), ('iri', '<u:p>'), ('str', '"?b"'), ('other', '}')]
    """  # noqa: E501
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        out.append(("ws" if kind == "ws" else kind, m.group()))
    return out


def _is(tok: tuple[str, str], word: str) -> bool:
    return tok[0] == "word" and tok[1].upper() == word


def _next(toks: list[tuple[str, str]], i: int) -> int:
    """The index of the first token at or after ``i`` that is not white space."""
    while i < len(toks) and toks[i][0] == "ws":
        i += 1
    return i


def _matching(toks: list[tuple[str, str]], i: int) -> int:
    """The index of the bracket closing the one at ``i``."""
    pairs = {"{": "}", "(": ")"}
    depth = 0
    for j in range(i, len(toks)):
        if toks[j] == ("other", toks[i][1]):
            depth += 1
        elif toks[j] == ("other", pairs[toks[i][1]]):
            depth -= 1
            if depth == 0:
                return j
    raise QueryError("the query's brackets do not balance")


def _enclosing(toks: list[tuple[str, str]], i: int) -> tuple[int, int]:
    """The ``{ ... }`` group holding the token at ``i``: its brackets' indexes."""
    depth = 0
    for j in range(i - 1, -1, -1):
        if toks[j] == ("other", "}"):
            depth += 1
        elif toks[j] == ("other", "{"):
            if depth == 0:
                return j, _matching(toks, j)
            depth -= 1
    raise QueryError("a VALUES block outside any group")


def _value(tok: tuple[str, str]) -> Any:
    """A VALUES cell as a Python value to compare with a parameter (None: not comparable)."""
    kind, text = tok
    if kind == "word" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if kind == "str" and len(text) >= 2 and "\\" not in text:
        return text[1:-1]
    if kind == "num" and text.isdigit():
        return int(text)
    return None


def _values_block(toks: list[tuple[str, str]], i: int) -> tuple[list[str], list[list[tuple[str, str]]], int]:
    """The VALUES block at ``i``: its variables, its rows (of tokens) and its last index."""
    j = _next(toks, i + 1)
    names: list[str] = []
    if toks[j] == ("other", "("):
        end = _matching(toks, j)
        names = [t[1][1:] for t in toks[j + 1:end] if t[0] == "var"]
        j = end
    else:
        names = [toks[j][1][1:]]
    start = _next(toks, j + 1)
    end = _matching(toks, start)
    cells = [t for t in toks[start + 1:end] if t[0] != "ws"]
    rows: list[list[tuple[str, str]]] = []
    if len(names) == 1 and (not cells or cells[0] != ("other", "(")):
        rows = [[c] for c in cells]
    else:
        row: list[tuple[str, str]] = []
        for c in cells:
            if c == ("other", "("):
                row = []
            elif c == ("other", ")"):
                rows.append(row)
            else:
                row.append(c)
    return names, rows, end


def _apply_guard(toks: list[tuple[str, str]], params: dict[str, Any]) -> list[tuple[str, str]] | None:
    """The tokens with the first VALUES block that names a parameter applied, or None."""
    for i, tok in enumerate(toks):
        if not _is(tok, "VALUES"):
            continue
        names, rows, end = _values_block(toks, i)
        bound = [k for k, n in enumerate(names) if n in params]
        if not bound:
            continue
        if len(bound) != len(names):
            raise QueryError(f"a VALUES block mixes parameters and other variables ({', '.join(names)})")
        keep = any(all(_value(row[k]) == params[names[k]] and type(_value(row[k])) is type(params[names[k]])
                       for k in bound) for row in rows if len(row) == len(names))
        if keep:
            return toks[:i] + toks[_next(toks, end + 1):]
        start, stop = _enclosing(toks, i)
        return [*toks[:start], ("off", _OFF), *toks[stop + 1:]]
    return None


def _empty_select(toks: list[tuple[str, str]], i: int) -> tuple[int, int] | None:
    """The group ``{ SELECT [DISTINCT] ?v... WHERE <off> }`` around the switched-off group
    at ``i`` (no aggregate, so no rows either), as its brackets' indexes, or None."""
    try:
        start, stop = _enclosing(toks, i)
    except QueryError:
        return None
    head = [t for t in toks[start + 1:i] if t[0] != "ws"]
    tail = [t for t in toks[i + 1:stop] if t[0] != "ws"]
    if tail or len(head) < 2 or not _is(head[0], "SELECT") or not _is(head[-1], "WHERE"):
        return None
    middle = [t for t in head[1:-1] if not (_is(t, "DISTINCT") or _is(t, "REDUCED"))]
    return (start, stop) if all(t[0] == "var" for t in middle) else None


def _prune_once(toks: list[tuple[str, str]]) -> list[tuple[str, str]] | None:
    """One switched-off group taken out of its UNION (or widened to the sub-select it
    empties), or None when there is none left to take."""
    for i, tok in enumerate(toks):
        if tok[0] != "off":
            continue
        after = _next(toks, i + 1)
        if after < len(toks) and _is(toks[after], "UNION"):
            return toks[:i] + toks[_next(toks, after + 1):]
        before = i - 1
        while before >= 0 and toks[before][0] == "ws":
            before -= 1
        if before >= 0 and _is(toks[before], "UNION"):
            return toks[:before] + toks[i + 1:]
        empty = _empty_select(toks, i)
        if empty is not None:
            return [*toks[:empty[0]], tok, *toks[empty[1] + 1:]]
    return None


def _prune_unions(toks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Switched-off groups taken out of the UNIONs they are branches of."""
    while (pruned := _prune_once(toks)) is not None:
        toks = pruned
    return toks


def _ends_list(tok: tuple[str, str]) -> bool:
    """Whether ``tok`` (at the list's own depth) ends a projection or a GROUP BY list."""
    if tok in (("other", "{"), ("other", "}")):
        return True
    return tok[0] == "word" and tok[1].upper() in _AFTER_GROUP | {"WHERE"}


def _drop_from_lists(toks: list[tuple[str, str]], params: dict[str, Any]) -> list[tuple[str, str]]:
    """Parameter variables out of every projection and GROUP BY list (at their own depth)."""
    out: list[tuple[str, str]] = []
    listing = False  # inside a projection or a GROUP BY
    depth = 0
    for tok in toks:
        if _is(tok, "SELECT") or (_is(tok, "BY") and any(_is(t, "GROUP") for t in out[-2:])):
            listing, depth = True, 0
        elif listing and depth == 0 and _ends_list(tok):
            listing = False
        elif listing and tok[0] == "other" and tok[1] in "()":
            depth += 1 if tok[1] == "(" else -1
        if listing and depth == 0 and tok[0] == "var" and tok[1][1:] in params:
            while out and out[-1][0] == "ws":  # the space before it goes with it
                out.pop()
            continue
        out.append(tok)
    return out


def projection(text: str) -> list[str]:
    """The variables the outermost SELECT projects by name, in order (none for ``*``).

    >>> projection("SELECT ?a (COUNT(?b) AS ?n) ?c WHERE { { SELECT ?d WHERE {} } }")
    ['a', 'n', 'c']
    """
    out: list[str] = []
    toks = [t for t in tokens(text) if t[0] != "ws"]
    start = next((i for i, t in enumerate(toks) if _is(t, "SELECT")), None)
    if start is None:
        return out
    depth = 0
    for i in range(start + 1, len(toks)):
        tok = toks[i]
        if depth == 0 and _ends_list(tok):
            break
        if tok[0] == "other" and tok[1] in "()":
            depth += 1 if tok[1] == "(" else -1
        elif tok[0] == "var" and (depth == 0 or (depth == 1 and _is(toks[i - 1], "AS"))):
            out.append(tok[1][1:])
    return out


def substitute(text: str, params: dict[str, Any]) -> str:
    """``text`` with ``params`` (name -> Python value) written in; see the module's doc."""
    toks = tokens(text)
    used = {t[1][1:] for t in toks if t[0] == "var"}
    params = {k: v for k, v in params.items() if k in used}
    written = {k: term(v) for k, v in params.items()}  # an IRI that cannot be written fails here
    while (applied := _apply_guard(toks, params)) is not None:
        toks = applied
    toks = _prune_unions(toks)
    toks = _drop_from_lists(toks, params)
    return "".join(written[t[1][1:]] if t[0] == "var" and t[1][1:] in written else t[1] for t in toks)


__all__ = ["iri", "projection", "substitute", "term", "tokens"]
