"""Owner kinds, display names and person keys, checked against every real owner name.

``tests/data/owner_kinds.tsv`` classifies each distinct ``rptOwnerName`` of the corpus
by hand (person or entity) and gives the display name a reader would write. The
corpus is read here with ``xml.etree``, independently of the project's loaders.
"""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from insidergraph.loaders.names import display_name, owner_kind, person_key

TABLE = Path(__file__).parent / "data" / "owner_kinds.tsv"
_XML_BLOCK = re.compile(rb"<XML>\s*(.*?)\s*</XML>", re.DOTALL)


def _table() -> list[dict[str, str]]:
    with TABLE.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))


ROWS = _table()
KIND = {r["name"]: r["kind"] for r in ROWS}


def _documents(corpus: Path, with_txt: bool = True) -> Iterator[ET.Element]:
    for path in sorted((corpus / "xml").glob("*.xml")):
        yield ET.fromstring(path.read_bytes())
    if with_txt:
        for path in sorted((corpus / "txt").glob("*.txt")):
            for block in _XML_BLOCK.findall(path.read_bytes()):
                yield ET.fromstring(block)


def _owner_rows(corpus: Path, with_txt: bool = True) -> list[tuple[str, str]]:
    """(rptOwnerName, rptOwnerCik) of every reporting-owner row."""
    return [
        (ro.findtext("reportingOwnerId/rptOwnerName") or "", ro.findtext("reportingOwnerId/rptOwnerCik") or "")
        for doc in _documents(corpus, with_txt)
        for ro in doc.iterfind("reportingOwner")
    ]


def test_table_covers_every_owner_name_in_the_corpus(corpus: Path) -> None:
    names = {name for name, _ in _owner_rows(corpus)}
    assert names - KIND.keys() == set(), "owner names missing from tests/data/owner_kinds.tsv"
    assert KIND.keys() - names == set(), "stale rows in tests/data/owner_kinds.tsv"


@pytest.mark.parametrize("row", ROWS, ids=[r["name"] for r in ROWS])
def test_owner_kind_and_display_name_agree_with_the_hand_table(row: dict[str, str]) -> None:
    kind = owner_kind(row["name"])
    assert kind == row["kind"]
    assert display_name(row["name"], kind) == row["display_name"]


def test_entity_owner_rows_across_corpus_xml(corpus: Path) -> None:
    # Counted from the hand table over the XML rows. Issue 2 says 94; the corpus has 98
    # entity rows, of which 94 are marked ten-percent owner and nothing else (the other
    # four: three also "other", one also director), which is likely where 94 came from.
    rows = _owner_rows(corpus, with_txt=False)
    assert len(rows) == 712
    by_table = sum(KIND[name] == "entity" for name, _ in rows)
    by_code = sum(owner_kind(name) == "entity" for name, _ in rows)
    assert by_table == by_code == 98
    ten_percent_only = 0
    for doc in _documents(corpus, with_txt=False):
        for ro in doc.iterfind("reportingOwner"):
            if KIND[ro.findtext("reportingOwnerId/rptOwnerName") or ""] != "entity":
                continue
            rel = ro.find("reportingOwnerRelationship")
            flags = {e.tag for e in (rel if rel is not None else []) if (e.text or "").strip() in ("1", "true")}
            ten_percent_only += flags == {"isTenPercentOwner"}
    assert ten_percent_only == 94


def test_one_cik_gets_one_display_name_whatever_the_name_order(corpus: Path) -> None:
    # "Brin Sergey" and "Sergey Brin" are filed under one CIK.
    shown: dict[str, set[str]] = {}
    for name, cik in _owner_rows(corpus):
        shown.setdefault(cik, set()).add(display_name(name, owner_kind(name)))
    assert {cik: d for cik, d in shown.items() if len(d) > 1} == {}
    assert shown["0001295032"] == {"Sergey Brin"}


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("SMITH JOHN /NY/", "person"),  # EDGAR state suffixes are not entity markers
        ("KIM SE", "person"),  # a two-letter legal form counts only after two other words
        ("NESTLE S.A.", "entity"),
        ("ROCHE HOLDING AG", "entity"),
        ("ESTATE OF JOHN SMITH", "entity"),
        ("CO JONATHAN", "person"),  # "Co" as a surname, not "& CO"
        ("Doe Family Partnership", "entity"),
        ("Acme Pte. Ltd.", "entity"),
    ],
)
def test_owner_kind_edge_cases(name: str, kind: str) -> None:
    assert owner_kind(name) == kind


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("SMITH, JOHN A., JR.", "John A. Smith Jr."),
        ("Smith, John", "John Smith"),
        ("SMITH JOHN A III", "John A Smith III"),
        ("SMITH JOHN /NY/", "John Smith"),
        ("DE LA CRUZ NICHOLAS", "Nicholas de la Cruz"),
        ("MCMAHON JOHN DENNIS", "John Dennis McMahon"),
        ("D'ANGELO MARY", "Mary D'Angelo"),
        ("Sergey M Brin", "Sergey M Brin"),
        ("Mason Mark", "Mark Mason"),  # both words given names: EDGAR order wins
    ],
)
def test_display_name_edge_cases(name: str, shown: str) -> None:
    assert display_name(name, "person") == shown


def test_entity_display_keeps_the_name_and_drops_only_the_state_suffix() -> None:
    assert display_name("  BANK OF AMERICA  CORP /DE/ ", "entity") == "BANK OF AMERICA CORP"
    assert display_name("FARNAM STREET PARTNERS LP /MN", "entity") == "FARNAM STREET PARTNERS LP"
    assert display_name("MERRILL LYNCH, PIERCE, FENNER & SMITH INC.", "entity") == (
        "MERRILL LYNCH, PIERCE, FENNER & SMITH INC."
    )


def test_person_key_merges_spellings_of_one_person() -> None:
    same = ["Jung Yeon Son", "JUNG YEON SON", "Jung-Yeon Son", "Son, Jung Yeon", "/s/ Jung Yeon Son"]
    assert len({person_key(n) for n in same}) == 1
    assert person_key("BOTHA ROELOF F.") == person_key("Roelof Botha")
    assert person_key("O'BRIEN DEIRDRE") == person_key("Deirdre OBrien")
    assert person_key("José Núñez") == person_key("JOSE NUNEZ")


def test_person_key_keeps_different_people_apart() -> None:
    assert person_key("Roelof Frederik Botha") != person_key("Roelof Botha")
    assert person_key("John Smith Jr.") != person_key("John Smith Sr.")
    assert person_key("Jung Yeon Son") != person_key("Jung Son")

