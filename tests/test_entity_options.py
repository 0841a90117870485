"""Every entity option of the named queries (``--person``, ``--issuer``, ``--source``,
``--target``, and any a query declares) takes a CIK, a ticker, a node id or a name, resolved
to one node of the store before the query runs: each form gives the rows of the node id on
every embedded engine; an ambiguous name lists its candidates and a value that names nothing
says so, both with exit status 1 and nothing on stdout (``insidergraph/queries/resolve.py``).

Also here: a mistyped query name or option gets click's "Did you mean", and an ad-hoc query
using a parameter that is not given says so in one line.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import neo4j_db
import pytest
from click.testing import CliRunner, Result

from insidergraph.backends import open_engine, store_engines
from insidergraph.cli import cli
from insidergraph.errors import QueryError
from insidergraph.graph.store import Store
from insidergraph.graph.store_build import build_store
from insidergraph.queries import normalise, run
from insidergraph.queries.registry import QUERIES
from insidergraph.queries.resolve import AmbiguousEntity, Entities, Node, resolve_entities

ENGINES = ("cypher", "sparql", "networkx")
LEVCHIN, BOTHA = "person/0001539853", "person/0001222287"
YELP, TESLA = "company/0001345016", "company/0001318605"


@pytest.fixture(scope="module")
def store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The corpus XML built once into a store with every embedded engine."""
    path = tmp_path_factory.mktemp("entity-store") / "store"
    build_store([str(corpus / "xml")], path, engines=store_engines())
    return Store(path)


def _query(store: Store, *args: str) -> Result:
    return CliRunner().invoke(cli, ["query", *args, "--store", str(store.path), "--format", "csv"])


# Each entity option, with the other options its query needs (connection: the other end).
OPTIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "person": ("insider-roles", "--person", ()),
    "issuer": ("issuer-insiders", "--issuer", ()),
    "source": ("connection", "--source", ("--target", "1222287")),
    "target": ("connection", "--target", ("--source", "1539853")),
}

# (option, value, the node it names): every form a value may take, on every option.
FORMS: list[tuple[str, str, str]] = [
    *[("person", value, LEVCHIN) for value in (
        "1539853", "0001539853", LEVCHIN,   # CIK without and with its zeros, node id
        "Max Levchin", "levchin max",       # the normalised name: case, initials and word order aside
        "levchin",                          # part of a name (his CIK-less signer node gives way)
    )],
    ("person", "musk", "person/0001494730"),
    *[("issuer", value, YELP) for value in ("1345016", "0001345016", YELP, "yelp", "YELP", "Yelp, Inc.")],
    ("issuer", "Tesla", TESLA),  # part of a name: "Tesla, Inc." (the issue's `--issuer Tesla`: 0 rows)
    *[(end, value, node) for end in ("source", "target") for value, node in (
        ("0001345016", YELP), ("yelp", YELP), ("person/0001539865", "person/0001539865"),
        ("Keith Rabois", "person/0001539865"), ("affirm", "company/0001820953"),
    )],
    ("source", "levchin", LEVCHIN),  # the issue's `--source levchin --target botha`
    ("target", "botha", BOTHA),
]


def _ids(form: tuple[str, str, str]) -> str:
    return f"{form[0]}={form[1]}"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("form", FORMS, ids=_ids)
def test_each_form_of_a_value_gives_the_rows_of_its_node(store: Store, form: tuple[str, str, str],
                                                         engine: str) -> None:
    option, value, node = form
    name, flag, others = OPTIONS[option]
    got = _query(store, name, flag, value, *others, "--engine", engine)
    by_id = _query(store, name, flag, node, *others, "--engine", engine)
    assert (got.exit_code, got.stderr) == (0, ""), got.output
    assert got.stdout == by_id.stdout
    # The node id's rows are the query's own match of that node, without resolution.
    query = QUERIES[name]
    given = {option: node} | {o.lstrip("-"): v for o, v in zip(others[::2], others[1::2])}
    direct = normalise(query, open_engine(engine, store).run_named(query, query.bind(given)))
    assert len(direct) > 0
    assert len(list(csv.DictReader(io.StringIO(got.stdout)))) == len(direct)


@pytest.mark.neo4j
def test_on_neo4j_each_form_gives_the_embedded_rows(store: Store, neo4j_env: dict[str, str]) -> None:
    # Resolution reads the store's tables, so a server engine resolves as the embedded ones.
    from insidergraph.backends.neo4j.load import load

    cfg = neo4j_db.config(neo4j_env)
    neo4j_db.clear(cfg)
    load(store.tables(), cfg)
    env = {k: neo4j_env[k] for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")}
    for option, value, _ in [*FORMS, ("person", "smith", "")]:
        name, flag, others = OPTIONS[option]
        args = ["query", name, flag, value, *others, "--store", str(store.path), "--format", "csv"]
        served = CliRunner().invoke(cli, [*args, "--engine", "neo4j"], env=env)
        embedded = CliRunner().invoke(cli, [*args, "--engine", "cypher"])
        assert (served.exit_code, served.stdout, served.stderr) == (
            embedded.exit_code, embedded.stdout, embedded.stderr), (option, value)


def test_the_issue_s_examples_now_answer(store: Store) -> None:
    tesla = run("issuer-insiders", store, issuer="Tesla")
    assert "Elon Musk" in set(tesla["insider_name"])
    path = run("connection", store, source="levchin", target="botha")
    assert path.iloc[0]["from_cik"] == "0001539853" and path.iloc[-1]["to_cik"] == "0001222287"
    assert path.equals(run("connection", store, source="1539853", target="1222287"))


def _errors(path: Path) -> list[tuple[str, str, str]]:
    """(option, value, exact stderr) of values that name no node or several."""
    where = f"{path}: "
    hint = "give a CIK, a node id or more of the name:"
    person = "(a CIK, a node id, a name or part of one)"
    company = "(a CIK, a ticker, a node id, a name or part of one)"
    smiths = ("  Bradford L Smith (CIK 0001193119): MICROSOFT CORP\n"
              "  Darla M Smith (CIK 0001674334): ADVANCED MICRO DEVICES INC\n")
    keiths = ("  Keith R. Dolliver (person/n/dolliver-keith): no roles\n"
              "  Keith Rabois (CIK 0001539865): Affirm Holdings, Inc. | XOOM Corp | YELP INC\n")
    alphabets = ("  Alphabet Holdings LLC (CIK 0001847337): Duolingo, Inc.\n"
                 "  Alphabet Inc. (CIK 0001652044, GOOG): Duolingo, Inc.\n")
    merrill = ("  MERRILL LYNCH, PIERCE, FENNER & SMITH INC. (CIK 0000728612): BlackRock Municipal Credit Alpha "
               "Portfolio, Inc. | Nuveen Municipal Credit Income Fund | NUVEEN MUNICIPAL HIGH INCOME OPPORTUNITY "
               "FUND | PIMCO CALIFORNIA MUNICIPAL INCOME FUND | PIMCO NEW YORK MUNICIPAL INCOME FUND II\n")
    return [
        ("person", "smith", f"Error: {where}'smith' matches 2 persons; {hint}\n{smiths}"),
        ("person", "keith", f"Error: {where}'keith' matches 2 persons; {hint}\n{keiths}"),
        ("person", "nobody-xyz", f"Error: {where}no person matches 'nobody-xyz' {person}\n"),
        ("person", "9999999", f"Error: {where}no person matches '9999999' {person}\n"),
        ("person", "YELP", f"Error: {where}no person matches 'YELP' {person}\n"),  # a ticker names no person
        ("person", "company/0001345016", f"Error: {where}no person matches 'company/0001345016' {person}\n"),
        ("issuer", "alphabet", f"Error: {where}'alphabet' matches 2 companies; {hint}\n{alphabets}"),
        ("issuer", "NOPE", f"Error: {where}no company matches 'NOPE' {company}\n"),
        ("issuer", "Max Levchin", f"Error: {where}no company matches 'Max Levchin' {company}\n"),
        *[(end, v, e) for end in ("source", "target") for v, e in (
            ("smith", f"Error: {where}'smith' matches 3 persons or companies; {hint}\n{smiths}{merrill}"),
            ("keith", f"Error: {where}'keith' matches 2 persons or companies; {hint}\n{keiths}"),
            ("nobody-xyz", f"Error: {where}no person or company matches 'nobody-xyz' {company}\n"),
            ("company/0000000001", f"Error: {where}no person or company matches 'company/0000000001' {company}\n"),
        )],
    ]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", range(len(_errors(Path("x")))),
                         ids=[f"{o}={v}" for o, v, _ in _errors(Path("x"))])
def test_a_value_naming_several_nodes_or_none_is_an_error(store: Store, case: int, engine: str) -> None:
    option, value, expected = _errors(store.path)[case]
    name, flag, others = OPTIONS[option]
    result = _query(store, name, flag, value, *others, "--engine", engine)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected)


@pytest.mark.parametrize(("name", "option"), [
    (q.name, p.name) for q in QUERIES.values() for p in q.params if p.labels
])
def test_every_entity_option_of_the_registry_resolves(store: Store, name: str, option: str) -> None:
    # Parametrised over the registry: a query added with a --person or --issuer is checked too.
    query = QUERIES[name]
    param = query.param(option)
    others = [x for p in query.params if p.labels and p.required and p.name != option
              for x in (p.option, "1539853" if "Person" in p.labels else "1345016")]
    missing = _query(store, name, param.option, "nobody-xyz", *others)
    assert missing.exit_code == 1 and missing.stdout == ""
    assert missing.stderr.startswith(f"Error: {store.path}: no ") and "matches 'nobody-xyz' (a CIK" in missing.stderr
    found = _query(store, name, param.option, "1222287" if "Person" in param.labels else "1318605", *others)
    assert (found.exit_code, found.stderr) == (0, ""), found.output


def test_the_library_raises_the_candidates(store: Store) -> None:
    with pytest.raises(AmbiguousEntity) as err:
        run("insider-roles", store, person="smith")
    assert [n.id for n in err.value.candidates] == ["person/0001193119", "person/0001674334"]
    with pytest.raises(QueryError, match="no person matches 'nobody-xyz'"):
        run("insider-roles", store, engine="networkx", person="nobody-xyz")


def test_each_candidate_is_one_line_whatever_its_name_holds() -> None:
    known = Entities([Node("person/1", "Person", "0000000001", "Evil\nError: forged"),
                      Node("person/2", "Person", "0000000002", "Evil Twin")])
    with pytest.raises(AmbiguousEntity) as err:
        known.resolve("evil", ("Person",))
    assert str(err.value).splitlines() == [
        "'evil' matches 2 persons; give a CIK, a node id or more of the name:",
        "  Evil\\nError: forged (CIK 0000000001): no roles",
        "  Evil Twin (CIK 0000000002): no roles",
    ]


def test_without_a_local_store_a_server_engine_takes_only_a_cik_or_a_node_id(tmp_path: Path) -> None:
    nowhere = Store(tmp_path / "none")
    query = QUERIES["insider-roles"]
    for value in ("1539853", LEVCHIN):
        values = query.values({"person": value})
        assert resolve_entities(query, values, nowhere, "neo4j") == values
    with pytest.raises(QueryError) as err:
        resolve_entities(query, query.values({"person": "levchin"}), nowhere, "sparql-server")
    assert str(err.value) == (f"--person 'levchin': a name or ticker is resolved from a store's tables, and there "
                              f"is no store at {nowhere.path}; give --store DIR, or a CIK or a node id")


# -- names click suggests -------------------------------------------------------------------

@pytest.mark.parametrize(("args", "suggestion"), [
    (("query", "insider-role", "--person", "levchin"),
     "Error: No such command 'insider-role'. (Did you mean one of: 'insider-roles', 'insider-summary', "
     "'insider-trades'?)"),
    (("query", "shared-director"), "Error: No such command 'shared-director'. Did you mean 'shared-directors'?"),
    (("query", "insider-roles", "--persn", "levchin"), "Error: No such option '--persn'. Did you mean '--person'?"),
    (("qurey", "interlocks"), "Error: No such command 'qurey'. Did you mean 'query'?"),
])
def test_a_mistyped_query_or_option_gets_the_closest_name(args: tuple[str, ...], suggestion: str) -> None:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 2  # click's status for a usage error
    assert result.stderr.strip().splitlines()[-1] == suggestion


# -- ad-hoc parameters ----------------------------------------------------------------------

_SPARQL = "PREFIX ig: <https://w3id.org/insidergraph/ontology#> SELECT ?p $cik WHERE { ?p ig:cik $cik }"


@pytest.mark.parametrize(("language", "text", "expected"), [
    ("cypher", "MATCH (p:Person) WHERE p.cik = $cik RETURN p.name",
     "Error: the query uses $cik, which is not given: add --param cik=VALUE\n"),
    ("cypher", "MATCH (p:Person) WHERE p.cik = $cik AND p.name = $name RETURN p.name",
     "Error: the query uses $cik and $name, which are not given: add --param cik=VALUE --param name=VALUE\n"),
    ("sparql", _SPARQL, "Error: the query uses $cik, which is not given: add --param cik=VALUE\n"),
])
def test_an_adhoc_parameter_not_given_is_one_line(store: Store, language: str, text: str, expected: str) -> None:
    result = CliRunner().invoke(cli, [language, text, "--store", str(store.path), "--format", "csv"])
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", expected)


@pytest.mark.parametrize(("language", "text", "params", "rows"), [
    ("cypher", "MATCH (p:Person) WHERE p.cik = $cik RETURN p.name AS name", ("-p", "cik=0001494730"),
     ["name", "Elon Musk"]),
    # Inside a string or a comment a $ is no parameter; a SPARQL ?variable is no parameter either.
    ("cypher", "MATCH (p:Person) WHERE p.name = '$cik' RETURN count(*) AS n // $cik", (), ["n", "0"]),
    ("sparql", _SPARQL, ("-p", "cik=0001494730"),
     ["p,cik", "https://w3id.org/insidergraph/id/person/0001494730,0001494730"]),
    ("sparql", 'SELECT (COUNT(*) AS ?n) WHERE { ?s <urn:x:no> ?cik } # $cik', (), ["n", "0"]),
])
def test_an_adhoc_parameter_given_or_quoted_runs(store: Store, language: str, text: str, params: tuple[str, ...],
                                                 rows: list[str]) -> None:
    result = CliRunner().invoke(cli, [language, text, "--store", str(store.path), "--format", "csv", *params])
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout.splitlines() == rows
