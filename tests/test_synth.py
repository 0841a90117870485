"""The synthetic filing generator (bench/synth.py): valid, deterministic, and shaped like EDGAR.

Every property is checked on the parsed filings (insidergraph's own XML loader), never on
the generator's bookkeeping, so a generator that drifts from what it claims fails here.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest

from insidergraph.loaders.xml import DOCUMENT_TYPES, parse
from insidergraph.model import Filing

N = 300


def _load_synth() -> ModuleType:
    path = Path(__file__).resolve().parents[1] / "bench" / "synth.py"
    spec = importlib.util.spec_from_file_location("insidergraph_bench_synth", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


synth = _load_synth()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("synth")
    synth.write(N, 11, out, shard_size=100)
    return sorted(out.rglob("*.xml"))


@pytest.fixture(scope="module")
def filings(written: list[Path]) -> list[Filing]:
    return [parse(p) for p in written]


def test_writes_every_filing_in_shards_of_the_given_size(written: list[Path]) -> None:
    assert len(written) == N
    shards = defaultdict(int)
    for p in written:
        shards[p.parent.name] += 1
    assert sorted(shards.values()) == [100, 100, 100]


def test_every_file_parses_with_a_distinct_accession_from_its_name(written: list[Path], filings: list[Filing]) -> None:
    accessions = [f.accession for f in filings]
    assert None not in accessions
    assert len(set(accessions)) == N
    for p, f in zip(written, filings):
        assert re.fullmatch(r"\d{10}-\d{2}-\d{6}", f.accession or "")
        assert p.name.startswith(f"{f.accession}__")


def test_filings_carry_issuers_owners_tables_and_footnotes(filings: list[Filing]) -> None:
    types = {f.document_type for f in filings}
    assert types <= DOCUMENT_TYPES
    assert {"3", "4"} <= types
    for f in filings:
        assert f.issuer.cik and f.issuer.name and f.issuer.ticker
        assert f.reporting_owners and all(o.cik for o in f.reporting_owners)
        assert f.signatures and all(s.date for s in f.signatures)
        # Every footnote a row points at is defined in the filing.
        for row in f.non_derivative + f.derivative:
            for ids in row.footnotes.values():
                assert set(ids) <= set(f.footnotes)
    rows = [r for f in filings for r in f.non_derivative + f.derivative]
    assert any(r.type == "transaction" for r in rows) and any(r.type == "holding" for r in rows)
    assert any(r.footnotes for r in rows)
    assert sum(len(f.derivative) for f in filings) > 0
    officers = [o for f in filings for o in f.reporting_owners if o.relationship.is_officer]
    assert officers and all(o.relationship.officer_title for o in officers)
    assert any(o.kind == "entity" and o.relationship.is_ten_percent_owner for f in filings for o in f.reporting_owners)


def test_same_seed_gives_the_same_bytes_and_another_seed_differs() -> None:
    first = list(synth.generate(N, seed=5))
    assert first == list(synth.generate(N, seed=5))
    other = list(synth.generate(N, seed=6))
    assert [x for _, x in first] != [x for _, x in other]


def test_directors_sit_on_several_boards(filings: list[Filing]) -> None:
    boards: dict[str, set[str]] = defaultdict(set)
    for f in filings:
        for o in f.reporting_owners:
            if o.relationship.is_director and o.cik and f.issuer.cik:
                boards[o.cik].add(f.issuer.cik)
    counts = sorted((len(v) for v in boards.values()), reverse=True)
    # A heavy tail: most directors on one board, several on two or more.
    assert sum(1 for c in counts if c >= 2) >= 3
    assert counts[0] >= 3
    assert sum(1 for c in counts if c == 1) > sum(1 for c in counts if c >= 2)


# Signer names read from the raw signature text, independently of the loader's own parsing.
_SIGNER = (
    re.compile(r"By: /s/ ([^,]+), Attorney-in-Fact$", re.I),
    re.compile(r"^/s/ ([^,]+), (?:Attorney-in-Fact|by power of attorney)", re.I),
    re.compile(r"^By: ([^,]+), Attorney-in-fact For:", re.I),
    re.compile(r"^(.+?) as attorney-in-fact for ", re.I),
)


def _signer_key(text: str) -> str | None:
    for pattern in _SIGNER:
        m = pattern.search(text)
        if m:
            # "Jane Q. Doe" and "Jane Doe" are one attorney: drop middle initials.
            return " ".join(w for w in m.group(1).split() if not re.fullmatch(r"[A-Z]\.?", w)).upper()
    return None


def test_attorneys_in_fact_sign_for_several_owners(filings: list[Filing]) -> None:
    signs_for: dict[str, set[str]] = defaultdict(set)
    for f in filings:
        for s in f.signatures:
            key = _signer_key(s.text)
            if key is None:
                continue
            signs_for[key].update(o.cik for o in f.reporting_owners if o.cik)
    many = [k for k, owners in signs_for.items() if len(owners) >= 3]
    assert len(many) >= 3, {k: len(v) for k, v in signs_for.items()}


def test_all_attorney_signature_styles_are_present(filings: list[Filing]) -> None:
    texts = [s.text for f in filings for s in f.signatures]
    for pattern in _SIGNER:
        assert any(pattern.search(t) for t in texts), pattern.pattern
    assert any(re.fullmatch(r"/s/ [^,]+", t) for t in texts)  # owners who sign themselves


def test_a_second_population_with_its_own_accession_agent_adds_to_a_store(tmp_path: Path) -> None:
    from insidergraph.backends import store_engines
    from insidergraph.graph.store import Store
    from insidergraph.graph.store_build import build_store

    # Issue 11: without --accession-agent the second population's accessions are the first's.
    first, second = ({n.split("__")[0] for n, _ in synth.generate(150, seed)} for seed in (1, 2))
    assert len(first & second) > 100
    assert synth.main(["--filings", "150", "--seed", "1", "--out", str(tmp_path / "a")]) == 0
    assert synth.main(["--filings", "150", "--seed", "2", "--out", str(tmp_path / "b"),
                       "--accession-agent", "9000000"]) == 0
    store = tmp_path / "store"
    assert build_store([str(tmp_path / "a")], store, engines=store_engines()).added == 150
    result = build_store([str(tmp_path / "b")], store, engines=store_engines())
    assert (result.added, Store(store).manifest()["filings"]) == (150, 300)
    again = build_store([str(tmp_path / "a"), str(tmp_path / "b")], store, engines=store_engines())
    assert again.added == 0  # deterministic: the same files are the same filings


def test_an_accession_agent_that_is_not_ten_digits_is_refused() -> None:
    for bad in ("0", "10000000000"):
        with pytest.raises(SystemExit):
            synth.main(["--filings", "10", "--accession-agent", bad])
