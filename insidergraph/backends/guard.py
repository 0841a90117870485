"""What an ad-hoc query may do: read the store's graph, and nothing else.

The embedded engines answer questions about the store. A Cypher or SPARQL text typed at
``insidergraph cypher`` / ``insidergraph sparql`` must not write (the Cypher database is
opened read-only, yet ladybug still runs ``CHECKPOINT`` and would leave the store needing
recovery), read or write files (``COPY``, ``LOAD FROM``, ``ATTACH``, ``EXPORT``), load
extensions (``INSTALL``) or call out (SPARQL ``SERVICE``).

Two checks, both before the engine runs anything:

1. A tokenizer that skips strings, comments and quoted names refuses the clauses that
   touch files or the network and every writing clause, by keyword, before the engine
   binds the text: binding ``LOAD FROM 'path'`` already opens the file.
2. For Cypher, the engine's own physical plan (``EXPLAIN``) must consist of reading
   operators only, and its table functions must be on a short list: whatever the text's
   spelling, a plan that copies, installs, checkpoints or reads a file is refused.

>>> check_cypher("MATCH (p:Person) WHERE p.name = 'COPY' RETURN p.name // LOAD FROM")
>>> check_cypher("COPY (MATCH (p) RETURN p) TO '/tmp/x.csv'")
Traceback (most recent call last):
...
insidergraph.errors.QueryError: COPY is refused: ad-hoc Cypher may only read the store's graph (no writes, files, extensions or network)
>>> check_sparql('SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }')
Traceback (most recent call last):
...
insidergraph.errors.QueryError: SERVICE is refused: ad-hoc SPARQL may only read the store's graph (no updates and no remote services)
"""  # noqa: E501 (a doctest's expected error is its one-line message)

from __future__ import annotations

import re

from insidergraph.errors import QueryError

#: Clauses that write, touch files, load extensions or change the session.
CYPHER_REFUSED = frozenset(
    "CREATE MERGE SET DELETE DETACH REMOVE DROP ALTER COPY LOAD INSTALL UNINSTALL ATTACH USE EXPORT "
    "IMPORT CHECKPOINT BEGIN COMMIT ROLLBACK PROFILE EXPLAIN".split()
)
#: How a statement that only reads may begin.
CYPHER_STARTS = frozenset("MATCH OPTIONAL WITH UNWIND RETURN CALL".split())
#: Physical operators of reading plans (ladybug 0.22); anything else is refused by name.
CYPHER_OPERATORS = frozenset(
    "AGGREGATE AGGREGATE_FINALIZE AGGREGATE_SCAN CROSS_PRODUCT DUMMY_SINK DUMMY_SIMPLE_SINK EMPTY_RESULT "
    "FILTER FLATTEN HASH_JOIN_BUILD HASH_JOIN_PROBE INTERSECT INTERSECT_BUILD LIMIT SKIP MULTIPLICITY_REDUCER "
    "ORDER_BY ORDER_BY_MERGE ORDER_BY_SCAN PATH_PROPERTY_PROBE PROJECTION QUERY_PRIMARY_KEY_LOOKUP "
    "PRIMARY_KEY_SCAN_NODE_TABLE RECURSIVE_EXTEND RESULT_COLLECTOR SCAN_NODE_TABLE SCAN_REL_TABLE SEMI_MASKER "
    "TABLE_FUNCTION_CALL TOP_K TOP_K_SCAN UNION_ALL_SCAN UNWIND".split()
)
#: Table functions a reading plan may call: literal rows, and the catalogue.
CYPHER_FUNCTIONS = frozenset({"READ_FTABLE", "SHOW_TABLES", "TABLE_INFO"})
#: SPARQL keywords of updates and of remote calls.
SPARQL_REFUSED = frozenset("SERVICE INSERT DELETE LOAD CLEAR CREATE DROP COPY MOVE ADD".split())

_CYPHER_WHY = "ad-hoc Cypher may only read the store's graph (no writes, files, extensions or network)"
_SPARQL_WHY = "ad-hoc SPARQL may only read the store's graph (no updates and no remote services)"

# One token at a time; strings, comments and quoted names are skipped whole, so a keyword
# inside them is no keyword. An unterminated one runs to the end (the engine then says so).
_CYPHER_TOKEN = re.compile(
    r"""(?P<skip>'(?:[^'\\]|\\.)*(?:'|$)|"(?:[^"\\]|\\.)*(?:"|$)|`[^`]*(?:`|$)|//[^\n]*|/\*.*?(?:\*/|$))"""
    r"""|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<semi>;)|(?P<dot>[.:])|(?P<other>\S)""",
    re.DOTALL,
)


# A parameter: ``$name``, ``$`quoted name``` or ``$0``, outside strings, comments and quoted names.
_CYPHER_PARAM = re.compile(
    r"""(?P<skip>'(?:[^'\\]|\\.)*(?:'|$)|"(?:[^"\\]|\\.)*(?:"|$)|`[^`]*(?:`|$)|//[^\n]*|/\*.*?(?:\*/|$))"""
    r"""|\$(?P<param>[A-Za-z_][A-Za-z0-9_]*|`[^`]*`|[0-9]+)|[^'"`/$]+|.""",
    re.DOTALL,
)


def parameters(language: str, text: str) -> list[str]:
    """The parameters a ``cypher`` or ``sparql`` text uses, in order of first use.

    In Cypher every ``$name`` is one. In SPARQL ``?name`` and ``$name`` are one variable,
    which a parameter may bind (substitution); a variable written ``$name`` says that it
    is a parameter, one the query cannot run without.

    >>> parameters("cypher", "MATCH (p) WHERE p.cik = $cik AND p.name <> '$x' // $y\\nRETURN $`n`, $cik")
    ['cik', 'n']
    >>> parameters("sparql", 'SELECT ?p $cik WHERE { ?p <urn:x:cik> $cik ; <urn:x:n> "$no" } # $nor')
    ['cik']
    """
    if language == "sparql":
        found = [m.group()[1:] for m in _SPARQL_TOKEN.finditer(text)
                 if m.lastgroup == "skip" and m.group().startswith("$")]
    else:
        found = [m.group("param").strip("`") for m in _CYPHER_PARAM.finditer(text) if m.group("param")]
    return list(dict.fromkeys(found))


def cypher_words(text: str) -> list[str]:
    """The keywords and names of a Cypher text, upper-cased, outside strings, comments and
    backquoted names; names after a dot or colon (properties, labels, map keys) are left out,
    ``;`` and ``=`` are kept.

    >>> cypher_words("MATCH (p:Set) /* SET */ WHERE p.set = 'CREATE' RETURN `DROP`, {use: 1}; ")
    ['MATCH', 'P', 'WHERE', 'P', '=', 'RETURN', 'USE', ';']
    """
    out: list[str] = []
    after_dot = False
    for m in _CYPHER_TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "word" and not after_dot:
            out.append(m.group().upper())
        elif kind == "semi" or (kind == "other" and m.group() == "="):
            out.append(m.group())
        after_dot = kind == "dot"
    return out


def check_cypher(text: str) -> None:
    """Refuse a Cypher text that is not one statement reading the graph (before binding)."""
    words = cypher_words(text)
    while words and words[-1] == ";":
        words.pop()
    if ";" in words:
        raise QueryError("one Cypher statement at a time: this text holds several (separated by ';')")
    for word in words:
        if word in CYPHER_REFUSED:
            raise QueryError(f"{word} is refused: {_CYPHER_WHY}")
    if words and words[0] not in CYPHER_STARTS:
        raise QueryError(f"{words[0]} is refused: {_CYPHER_WHY}")
    if words[:1] == ["CALL"] and "=" in words[:4]:
        raise QueryError(f"CALL of a setting is refused: {_CYPHER_WHY}")


# Boxes of sibling operators stand side by side on one line (``│ A[2] ││ B[3] │``).
_OPERATOR = re.compile(r"│\s*([A-Z][A-Z_]*)\[\d+\]\s*(?=│)")
_FUNCTION = re.compile(r"│\s*Function: ([A-Za-z_0-9]+)\s*(?=│)")


def check_cypher_plan(plan: str) -> None:
    """Refuse a ladybug plan (the text ``EXPLAIN`` gives) with an operator or table
    function outside the reading ones.

    >>> check_cypher_plan("│  COPY_TO[1]  │")
    Traceback (most recent call last):
    ...
    insidergraph.errors.QueryError: COPY_TO is refused: ad-hoc Cypher may only read the store's graph (no writes, files, extensions or network)
    """  # noqa: E501 (a doctest's expected error is its one-line message)
    operators = _OPERATOR.findall(plan)
    if not operators:
        raise QueryError(f"the Cypher engine gave no plan for this statement, so it is refused: {_CYPHER_WHY}")
    for op in operators:
        if op not in CYPHER_OPERATORS:
            raise QueryError(f"{op} is refused: {_CYPHER_WHY}")
    for fn in _FUNCTION.findall(plan):
        if fn.upper() not in CYPHER_FUNCTIONS:
            raise QueryError(f"table function {fn} is refused: {_CYPHER_WHY}")


_SPARQL_TOKEN = re.compile(
    r"""(?P<skip>'''.*?(?:'''|$)|\"\"\".*?(?:\"\"\"|$)|'(?:[^'\\\n]|\\.)*(?:'|$)|"(?:[^"\\\n]|\\.)*(?:"|$)"""
    r"""|<[^<>"{}|^`\\\x00-\x20]*>|\#[^\n]*|[?$][A-Za-z0-9_\u00b7\u00c0-\uffff]+)"""
    r"""|(?P<pname>[A-Za-z_][\w.-]*:[^\s{}()<>,;]*|:[^\s{}()<>,;]*)|(?P<word>[A-Za-z][A-Za-z0-9_]*)"""
    r"""|(?P<other>\S)""",
    re.DOTALL,
)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def sparql_words(text: str) -> list[str]:
    """The bare keywords of a SPARQL text, upper-cased, outside strings, IRIs, comments and
    variables; prefixed names (``service:x``) are left out.

    >>> sparql_words('SELECT ?service WHERE { ?s <http://x/SERVICE> "SERVICE" ; ig:load :copy } # SERVICE')
    ['SELECT', 'WHERE']
    """
    return [m.group().upper() for m in _SPARQL_TOKEN.finditer(text) if m.lastgroup == "word"]


def check_sparql(text: str) -> None:
    """Refuse a SPARQL text that updates or calls a service (also when spelt with ``\\u`` escapes,
    which SPARQL decodes before parsing)."""
    decoded = _ESCAPE.sub(lambda m: chr(min(int(m.group(1) or m.group(2), 16), 0x10FFFF)), text)
    for variant in (text, decoded):
        for word in sparql_words(variant):
            if word in SPARQL_REFUSED:
                raise QueryError(f"{word} is refused: {_SPARQL_WHY}")


__all__ = ["check_cypher", "check_cypher_plan", "check_sparql", "cypher_words", "parameters", "sparql_words"]
