"""Board queries order CIK-less and oddly keyed people and companies as every engine does.

The SPARQL queries order persons and issuers by a short key (the CIK, or the ``n/...`` tail
of a CIK-less node's id) instead of the node's IRI, which pyoxigraph would read back from
disk at every comparison. This checks on a constructed graph that the key orders exactly as
the node ids do in Cypher and networkx: CIK-less issuers and persons, a CIK that is not a
number (and sorts between the digits and ``n/``), a CIK that sorts after ``n/``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from insidergraph.backends import store_engines
from insidergraph.graph.store import Store
from insidergraph.model import Filing, Issuer, Relationship, ReportingOwner, Source
from insidergraph.queries import run

ISSUERS = [
    Issuer(cik="0000000001", name="ACME CORP", ticker="ACME"),
    Issuer(cik=None, name="Beta Holdings", ticker=None),  # company/n/beta-holdings
    Issuer(cik="0000000003", name="GAMMA INC", ticker="GAM"),
    Issuer(cik=None, name="Zed Co", ticker=None),  # company/n/zed-co
    Issuer(cik="k-77", name="KAPPA LTD", ticker=None),  # between the digits and "n/"
    Issuer(cik="zz9", name="OMEGA PLC", ticker=None),  # after "n/"
]
# (CIK, name, issuers sat on): every person sits on two boards or more. A seat spans the
# first half of 2024 (two filings), except ROE's at OMEGA, which is in 2025 only.
DIRECTORS: list[tuple[str | None, str, tuple[int, ...]]] = [
    ("0000000011", "DOE JANE", (0, 1, 2, 3, 4, 5)),
    (None, "NOAKES ANN", (1, 3)),  # CIK-less at CIK-less issuers: person/n/...
    ("m-12", "MOE MARY", (0, 4, 5)),
    ("0000000013", "ROE RICHARD", (2, 3, 5)),
    ("zz14", "ZED ZOE", (0, 1)),
]
LATE = ("0000000013", 5)


def _filings() -> list[Filing]:
    out = []
    for k, (cik, name, seats) in enumerate(DIRECTORS):
        for i in seats:
            owner = ReportingOwner(cik=cik, name=name, display_name=name.title(), kind="person",
                                   relationship=Relationship(is_director=True))
            year = 2025 if (cik, i) == LATE else 2024
            for month in (1, 6):
                out.append(Filing(accession=f"0000000000-24-{k:02d}{i:02d}{month:02d}", document_type="4",
                                  issuer=ISSUERS[i], reporting_owners=(owner,),
                                  source=Source(path=f"{k}-{i}-{month}.xml", format="xml"),
                                  period_of_report=date(year, month, 1)))
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    path: Path = tmp_path_factory.mktemp("order-store") / "store"
    Store(path).add(_filings(), engines=store_engines())
    return Store(path)


@pytest.mark.parametrize("name, params", [
    ("shared-directors", {}),
    ("shared-directors", {"min_boards": 3}),
    ("shared-directors", {"as_of": "2024-02-15"}),
    ("shared-directors", {"overlapping": True}),
    ("interlocks", {}),
    ("interlocks", {"max_boards": 3}),
    ("interlocks", {"as_of": "2024-02-15", "overlapping": True}),
    ("interlocks", {"min_shared": 9}),
    ("interlocks", {"as_of": "2030-01-01", "overlapping": True}),
])
def test_every_engine_orders_cikless_and_odd_keys_alike(store: Store, name: str, params: dict[str, Any]) -> None:
    frames = {e: run(name, store, engine=e, **params) for e in ("cypher", "sparql", "networkx")}
    # The last two cases find nothing: an empty answer has the same columns everywhere.
    assert (len(frames["cypher"]) > 0) == (params.get("min_shared") != 9 and params.get("as_of") != "2030-01-01")
    pd.testing.assert_frame_equal(frames["sparql"], frames["cypher"])
    pd.testing.assert_frame_equal(frames["networkx"], frames["cypher"])


def test_the_constructed_graph_has_cikless_and_odd_nodes(store: Store) -> None:
    people = run("shared-directors", store, engine="cypher")
    assert len(people) == len(DIRECTORS)
    # Ties on the count fall back to the node id: "0000000013" < "m-12" < "n/..." < "zz14".
    threes = people[people.issuer_count == 3].person_cik.tolist()
    assert threes == ["0000000013", "m-12"]
    twos = people[people.issuer_count == 2].person_cik.tolist()
    assert twos == [None, "zz14"]  # NOAKES has no CIK: person/n/noakes-ann sorts before person/zz14
    pairs = run("interlocks", store, engine="cypher")
    names = set(pairs.issuer_a_name) | set(pairs.issuer_b_name)
    assert {"Beta Holdings", "Zed Co", "KAPPA LTD", "OMEGA PLC"} <= names
    # ROE's 2025 seat at OMEGA overlaps none of his 2024 seats.
    overlapping = run("shared-directors", store, engine="cypher", overlapping=True)
    roe = overlapping[overlapping.person_name == "Roe Richard"].iloc[0]
    assert roe.issuer_count == 2 and "OMEGA PLC" not in roe.issuer_names
