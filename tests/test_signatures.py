"""Signature parsing, table-driven over every distinct real signature of the corpus.

``tests/data/signatures.tsv`` gives, for each distinct ``signatureName`` in
``../shared/corpus`` (xml/ and the ``<XML>`` blocks of txt/), the signer, whether
they sign as attorney-in-fact, and the owner acted for, as a reader would take them
from the line. Each string is checked on every filing it occurs in, with that
filing's owners (read here with ``xml.etree``; kinds from the hand table of owners).
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from insidergraph.loaders.names import display_name, person_key
from insidergraph.loaders.signatures import is_placeholder, parse_signature, read_signature
from insidergraph.model import ReportingOwner

DATA = Path(__file__).parent / "data"
_XML_BLOCK = re.compile(rb"<XML>\s*(.*?)\s*</XML>", re.DOTALL)
_ESCAPE = re.compile(r"\\(.)")

Owners = tuple[tuple[str, str], ...]  # (name, cik) of one filing's owners


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))


def _unescape(text: str) -> str:
    return _ESCAPE.sub(lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


ALL_ROWS = [dict(row, text=_unescape(row["text"])) for row in _read_tsv(DATA / "signatures.tsv")]
TABLE = [row for row in ALL_ROWS if row["source"] == "corpus"]
READINGS = [row for row in ALL_ROWS if row["source"] in ("form345", "issue")]
RENDERED = {row["text"]: row for row in ALL_ROWS if row["source"] == "rendered"}
KIND = {r["name"]: r["kind"] for r in _read_tsv(DATA / "owner_kinds.tsv")}


@pytest.fixture(scope="module")
def occurrences(corpus: Path) -> dict[str, list[Owners]]:
    """Every signature string of the corpus with the owners of each filing it is on."""
    docs = [p.read_bytes() for p in sorted((corpus / "xml").glob("*.xml"))]
    for path in sorted((corpus / "txt").glob("*.txt")):
        docs.extend(_XML_BLOCK.findall(path.read_bytes()))
    found: dict[str, list[Owners]] = {}
    for raw in docs:
        doc = ET.fromstring(raw)
        owners = tuple(
            (ro.findtext("reportingOwnerId/rptOwnerName") or "", ro.findtext("reportingOwnerId/rptOwnerCik") or "")
            for ro in doc.iterfind("reportingOwner")
        )
        for sig in doc.iterfind("ownerSignature"):
            found.setdefault(sig.findtext("signatureName") or "", []).append(owners)
    return found


def _owner(name: str, cik: str | None = None) -> ReportingOwner:
    kind = KIND.get(name, "person")
    return ReportingOwner(cik=cik, name=name, display_name=display_name(name, kind), kind=kind)  # type: ignore[arg-type]


def test_table_covers_every_distinct_signature_in_the_corpus(occurrences: dict[str, list[Owners]]) -> None:
    assert len(occurrences) == 208
    table = {row["text"] for row in TABLE}
    assert set(occurrences) - table == set(), "signatures missing from tests/data/signatures.tsv"
    assert table - set(occurrences) == set(), "stale rows in tests/data/signatures.tsv"


@pytest.mark.parametrize("row", TABLE, ids=[r["text"][:70] for r in TABLE])
def test_signature_reads_as_a_human_would(row: dict[str, str], occurrences: dict[str, list[Owners]]) -> None:
    text = row["text"]
    assert occurrences.get(text), "not in the corpus"
    for owners in occurrences[text]:
        sig = parse_signature(text, date(2024, 1, 2), [_owner(n, c) for n, c in owners])
        assert sig.text == text and sig.date == date(2024, 1, 2)
        assert sig.signer == (None if row["signer"] == "-" else row["signer"])
        assert sig.attorney_in_fact is (row["attorney_in_fact"] == "1")
        expected = row["on_behalf_of"]
        if expected == "-":
            assert sig.on_behalf_of is None and sig.on_behalf_of_cik is None, owners
            continue
        if expected == "@owner":
            assert len(owners) == 1, "@owner is only meaningful on single-owner filings"
            expected = owners[0][0]
        assert expected in [n for n, _ in owners], f"expected owner {expected!r} is not on the filing"
        assert sig.on_behalf_of == expected, owners
        assert sig.on_behalf_of_cik == dict(owners)[expected]


def _form345_signatures(shared: Path) -> set[str]:
    path = shared / "corpus" / "tsv" / "form345_2024q3_excerpt" / "OWNER_SIGNATURE.tsv"
    with path.open(encoding="utf-8", newline="") as f:
        return {row["OWNERSIGNATURENAME"] for row in csv.DictReader(f, delimiter="\t")}


def test_table_covers_every_distinct_form345_signature(shared: Path) -> None:
    names = _form345_signatures(shared)
    assert len(names) == 410
    assert names == {row["text"] for row in READINGS if row["source"] == "form345"}


@pytest.mark.parametrize("row", READINGS, ids=[f"{r['source']}:{r['text'][:70]}" for r in READINGS])
def test_signature_text_reads_as_a_human_would(row: dict[str, str]) -> None:
    signer, aif, principal = read_signature(row["text"])
    assert signer == (None if row["signer"] == "-" else row["signer"])
    assert aif is (row["attorney_in_fact"] == "1")
    assert principal == (None if row["principal"] == "-" else row["principal"])


def test_rendered_signatures_of_the_corpus(corpus: Path) -> None:
    """Signatures read by the HTML and text loaders, with the owners those loaders found."""
    from insidergraph.loaders.detect import iter_filings

    seen = {}
    for f in iter_filings([corpus / "html", corpus / "text"]):
        assert not isinstance(f, Exception), f
        for sig in f.signatures:
            seen[sig.text] = sig
    for text, row in RENDERED.items():
        assert text in seen, text
        assert seen[text].signer is None if row["signer"] == "-" else seen[text].signer == row["signer"]
        assert seen[text].attorney_in_fact is (row["attorney_in_fact"] == "1")
        assert seen[text].on_behalf_of is None if row["on_behalf_of"] == "-" else True


@pytest.mark.parametrize(
    "text",
    ["See Signatures Included in Exhibit 99.2", "/s/ See Signatures Included in Exhibit 99.2", "Reporting Person",
     "/s/ Reporting Person", "N/A", "*Signature on file", "/s/ Attorney-in-Fact", "Chief Financial Officer",
     "Signature of Reporting Person", "/s/", "**"],
)
def test_placeholders_name_no_signer(text: str) -> None:
    assert is_placeholder(text)
    sig = parse_signature(text, None, [BOTHA])
    assert (sig.signer, sig.attorney_in_fact, sig.on_behalf_of, sig.text) == (None, False, None, text)


def test_an_entity_that_is_no_owner_is_no_signer() -> None:
    assert parse_signature("/s/ Acme Holdings LLC", None, [BOTHA]).signer is None
    berkshire = _owner("BERKSHIRE HATHAWAY INC", "0001067983")
    sig = parse_signature("Berkshire Hathaway Inc.", None, [berkshire])
    assert (sig.signer, sig.on_behalf_of) == ("Berkshire Hathaway Inc", "BERKSHIRE HATHAWAY INC")


def test_issue_phrasings_resolve_to_the_named_owner() -> None:
    feld, ng = _owner("FELD MICHAEL", "1"), _owner("NG ANDREW Y", "2")
    sig = parse_signature("Donna Kalazdy, by power of attorney from Michael Feld", None, [feld, ng])
    assert (sig.signer, sig.attorney_in_fact, sig.on_behalf_of) == ("Donna Kalazdy", True, "FELD MICHAEL")
    sig = parse_signature("/s/ by Mark F. Hoffman as attorney-in-fact for Andrew Y. Ng", None, [feld, ng])
    assert (sig.signer, sig.attorney_in_fact, sig.on_behalf_of) == ("Mark F. Hoffman", True, "NG ANDREW Y")
    for text in ("/s/ Jane Doe, Attorney-in-Fact*", "/s/ Jane Doe (Attorney-in-Fact)", "by Jane Doe, Attorney-in-Fact"):
        one = parse_signature(text, None, [feld])
        assert (one.signer, one.attorney_in_fact, one.on_behalf_of) == ("Jane Doe", True, "FELD MICHAEL"), text
        # Several owners and no name: never invent the principal.
        assert parse_signature(text, None, [feld, ng]).on_behalf_of is None, text


def test_signer_is_clean(occurrences: dict[str, list[Owners]]) -> None:
    bad = re.compile(r"/s/|\bby\b|attorney|\bPOA\b|atty|signatory|^\W|\W$", re.IGNORECASE)
    signers = {parse_signature(t, None, []).signer or "" for t in occurrences}
    assert sorted(s for s in signers if bad.search(s)) == []


def test_attorney_spellings_merge_by_person_key(occurrences: dict[str, list[Owners]]) -> None:
    sigs = [parse_signature(t, None, []) for t in occurrences]
    keys = {person_key(s.signer) for s in sigs if s.attorney_in_fact and s.signer and "Jung" in s.signer}
    assert keys == {person_key("Jung-Yeon Son")}


# --- rules on made-up filings ----------------------------------------------------------

BOTHA = _owner("BOTHA ROELOF", "0001222287")
HOFFMAN = _owner("Hoffman Reid", "0001519339")
TRUST = _owner("Reid Hoffman & Michelle Yee Living Trust", "0001521103")


def test_attorney_for_a_single_owner_acts_for_that_owner() -> None:
    sig = parse_signature("/s/ Jane Roe, Atty-in-Fact", None, [BOTHA])
    assert (sig.signer, sig.attorney_in_fact, sig.on_behalf_of_cik) == ("Jane Roe", True, "0001222287")


def test_attorney_with_several_owners_and_no_name_is_unlinked() -> None:
    sig = parse_signature("/s/ Jane Roe, Attorney-in-Fact", None, [HOFFMAN, TRUST])
    assert sig.attorney_in_fact and sig.on_behalf_of is None


def test_attorney_with_several_owners_is_matched_by_name_in_either_order() -> None:
    for named in ("REID G. HOFFMAN", "Hoffman, Reid", "Hoffman Reid"):
        sig = parse_signature(f"/s/ Jane Roe, attorney-in-fact for {named}", None, [TRUST, HOFFMAN])
        assert sig.on_behalf_of == "Hoffman Reid", named


def test_attorney_naming_nobody_on_a_multi_owner_filing_is_unlinked() -> None:
    sig = parse_signature("/s/ Jane Roe, attorney-in-fact for Peter Thiel", None, [HOFFMAN, TRUST])
    assert sig.on_behalf_of is None


def test_plain_signature_by_a_stranger_is_never_linked() -> None:
    sig = parse_signature("/s/ John Doe", None, [BOTHA])
    assert (sig.signer, sig.attorney_in_fact, sig.on_behalf_of) == ("John Doe", False, None)


def test_different_first_names_do_not_match() -> None:
    smiths = [_owner("SMITH JOHN A", "1"), _owner("SMITH JAMES", "2")]
    assert parse_signature("/s/ James Smith", None, smiths).on_behalf_of == "SMITH JAMES"
    assert parse_signature("/s/ Jane Smith", None, smiths).on_behalf_of is None


def test_similar_fund_names_are_not_confused() -> None:
    funds = [_owner("SOFTBANK VISION FUND II LP", "1"), _owner("SOFTBANK VISION FUND III LP", "2"),
             _owner("CapitalG 2014 LP", "3"), _owner("CapitalG 2015 LP", "4")]
    for name in ("SoftBank Vision Fund II L.P.", "SOFTBANK VISION FUND III, L.P.", "CAPITALG 2015 LP"):
        sig = parse_signature(f"{name}, By: /s/ Jane Roe, Director", None, funds)
        assert sig.signer == "Jane Roe" and not sig.attorney_in_fact
        assert sig.on_behalf_of is not None and sig.on_behalf_of.replace(".", "").replace(",", "").upper() == (
            name.replace(".", "").replace(",", "").upper()
        )


def test_empty_signature_gives_no_signer() -> None:
    sig = parse_signature("", None, [BOTHA])
    assert (sig.signer, sig.attorney_in_fact, sig.on_behalf_of) == (None, False, None)


def test_on_behalf_of_is_an_attorney_only_when_the_signer_is_not_an_owner() -> None:
    berkshire, buffett = _owner("BERKSHIRE HATHAWAY INC", "0001067983"), _owner("BUFFETT WARREN E", "0000315090")
    officer = parse_signature("/s/ Warren E. Buffett, on behalf of Berkshire Hathaway Inc.", None, [berkshire, buffett])
    assert (officer.attorney_in_fact, officer.on_behalf_of) == (False, "BERKSHIRE HATHAWAY INC")
    agent = parse_signature("/s/ Jane Roe on behalf of Warren Buffett", None, [berkshire, buffett])
    assert (agent.attorney_in_fact, agent.on_behalf_of) == (True, "BUFFETT WARREN E")


# --- on the whole corpus -----------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_filings(corpus: Path) -> list:  # type: ignore[type-arg]
    from insidergraph.loaders.detect import iter_filings

    found = list(iter_filings([corpus / d for d in ("xml", "txt", "html", "text")]))
    assert not [f for f in found if isinstance(f, Exception)]
    return found


def test_attorneys_act_for_an_owner_of_their_filing(corpus_filings: list) -> None:  # type: ignore[type-arg]
    """At least 95% of attorney-in-fact signatures resolve to a reporting owner of the filing.

    Every miss (21 of 612, measured: 96.6% resolve) is "/s/ Lora Blum, Attorney-In-Fact" on
    a filing of two owners (Reid Hoffman and his living trust) that names neither: which one
    she signed for cannot be told, so it stays unlinked by rule.
    """
    total, misses = 0, []
    for f in corpus_filings:
        for s in f.signatures:
            if s.attorney_in_fact:
                total += 1
                if not (s.on_behalf_of and any(o.name == s.on_behalf_of for o in f.reporting_owners)):
                    misses.append((s.text, len(f.reporting_owners)))
    assert total == 612
    assert (total - len(misses)) / total >= 0.95
    assert set(misses) == {("/s/ Lora Blum, Attorney-In-Fact", 2)}


def test_no_signer_person_of_the_corpus_is_a_placeholder(corpus_filings: list) -> None:  # type: ignore[type-arg]
    from insidergraph.graph.build import build_graph
    from insidergraph.loaders.names import owner_kind

    g = build_graph(corpus_filings)
    people = g.nodes["Person"]
    signers = set(g.edges["SIGNED"]["src"])
    names = sorted(people[people["id"].isin(signers) & people["cik"].isna()]["name"])
    assert len(names) == 97
    assert [n for n in names if is_placeholder(n) or owner_kind(n) == "entity" or "exhibit" in n.lower()] == []
    filings = g.nodes["Filing"].set_index("id")
    kept = [t for v in filings["unsigned_signatures"] for t in v]
    assert "/s/ See Signatures Included in Exhibit 99.2" in kept
