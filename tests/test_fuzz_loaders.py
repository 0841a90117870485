"""Seeded fuzzing of ``insidergraph parse`` and ``build`` with mutated real filings.

A few hundred mutants of corpus files (every format: XML, complete submissions, HTML
renderings, rendered and legacy text) are made with one fixed seed: truncation, byte
flips, deleted tags and elements, other encodings and line ends, huge and odd numbers,
bad dates and CIKs, deep nesting, NUL characters, huge values, DOCTYPEs, duplicated
documents, script in pages. They go into one folder beside the unchanged files, and both
commands must keep the batch contract: no traceback, no "internal error", every
unchanged file's filing out (and in the store), and for each mutant either its filings or
exactly one stderr line naming it.

The seed and count are fixed so that a failure can be replayed: ``FUZZ_SEED`` and
``FUZZ_COUNT`` in the environment change them for a longer run by hand.
"""

from __future__ import annotations

import os
import random
import re
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from insidergraph.graph.build import filing_id
from insidergraph.graph.store import Store
from insidergraph.loaders import detect, jsonout

from batch_contract import invoke

SEED = int(os.environ.get("FUZZ_SEED", "20261201"))
COUNT = int(os.environ.get("FUZZ_COUNT", "400"))

_TAG = re.compile(rb"<[^<>]{1,80}>")
_NUMBER = re.compile(rb"(?<=>)\s*-?\d[\d,]*(?:\.\d+)?\s*(?=<)")
_DATE = re.compile(rb"\d{4}-\d{2}-\d{2}|\d{2}/\d{2}/\d{4}")
_CIK = re.compile(rb"(<(?:rptOwnerCik|issuerCik)>)[^<]*|(CENTRAL INDEX KEY:\s*)\S+")
_HUGE_NUMBERS = [b"9" * 5000, b"1e999999", b"1e100000000", b"-1E-999999", b"NaN", b"inf", b"-0",
                 b"1" + b"0" * 25, b"0." + b"0" * 30 + b"1", b"1,2,3,4.5.6", b"\xd9\xa3"]
_BAD_DATES = [b"0000-01-01", b"0001-01-01", b"9999-12-31", b"2024-02-30", b"99/99/9999", b"12/31/0001"]
_BAD_CIKS = [b"../x", b"1&gt;2", b"ABC", b"1" * 20, b"A|company/B", b" ", b"\xc2\xb2", b"-1"]

Mutation = Callable[[random.Random, bytes], bytes]


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))] if data else data


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        at = rng.randrange(len(out))
        out[at] ^= rng.randint(1, 255)
    return bytes(out)


def _delete_tag(rng: random.Random, data: bytes) -> bytes:
    tags = list(_TAG.finditer(data))
    if not tags:
        return _truncate(rng, data)
    for m in rng.sample(tags, min(len(tags), rng.randint(1, 3))):
        data = data.replace(m.group(0), b"", 1)
    return data


def _delete_span(rng: random.Random, data: bytes) -> bytes:
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, 2000):]


def _encoding(rng: random.Random, data: bytes) -> bytes:
    text = data.decode("utf-8", errors="replace")
    choice = rng.randrange(7)
    if choice == 0:
        return text.encode("utf-16")
    if choice == 1:
        return b"\xfe\xff" + text.encode("utf-16-be")
    if choice == 2:
        return text.encode("utf-32")
    if choice == 3:
        return b"\xef\xbb\xbf" + data
    if choice == 4:
        return data.replace(b"\n", b"\r\n")
    if choice == 5:
        return data.replace(b"\n", b"\r")
    return text.encode("utf-16-le")  # no byte-order mark


def _sub_random(rng: random.Random, data: bytes, pattern: re.Pattern[bytes],
                make: Callable[[re.Match[bytes]], bytes]) -> bytes:
    found = list(pattern.finditer(data))
    if not found:
        return _flip(rng, data)
    m = rng.choice(found)
    return data[: m.start()] + make(m) + data[m.end():]


def _huge_number(rng: random.Random, data: bytes) -> bytes:
    return _sub_random(rng, data, _NUMBER, lambda m: rng.choice(_HUGE_NUMBERS))


def _bad_date(rng: random.Random, data: bytes) -> bytes:
    return _sub_random(rng, data, _DATE, lambda m: rng.choice(_BAD_DATES))


def _bad_cik(rng: random.Random, data: bytes) -> bytes:
    return _sub_random(rng, data, _CIK, lambda m: (m.group(1) or m.group(2)) + rng.choice(_BAD_CIKS))


def _nest(rng: random.Random, data: bytes) -> bytes:
    tags = list(_TAG.finditer(data))
    at = rng.choice(tags).end() if tags else 0
    depth = rng.choice([100, 255, 257, 300, 2000])
    name = rng.choice([b"a", b"div", b"value", b"table"])
    return data[:at] + b"<%s>" % name * depth + b"</%s>" % name * depth + data[at:]


def _insert(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data))
    piece = rng.choice([
        b"\x00", b"&ext;", b"&#0;", b"]]>", b"<!--", b"<![CDATA[", b"\xff\xfe", b"\r",
        b"x" * rng.randint(100_000, 1_500_000),
        b'<td>Explanation of Responses:</td>', b"<th>Table I - </th>", b"<sup>" + b"7" * 5000 + b"</sup>",
        b"<script>document.title='PWNED'</script>", b"<XML>", b"</XML>", b"<DOCUMENT>",
        b"<SEQUENCE>" + b"1" * 5000 + b"\n",
    ])
    return data[:at] + piece + data[at:]


def _doctype(rng: random.Random, data: bytes) -> bytes:
    target = rng.choice([b"/etc/passwd", b"/nonexistent/x.dtd", b"http://127.0.0.1:9/x.dtd", b"file:///etc/hostname"])
    decl = b'<!DOCTYPE ownershipDocument SYSTEM "' + target + b'">\n'
    at = data.find(b"<ownershipDocument")
    return data[:at] + decl + data[at:] if at >= 0 else decl + data


def _duplicate_document(rng: random.Random, data: bytes) -> bytes:
    start, end = data.find(b"<DOCUMENT>"), data.find(b"</DOCUMENT>")
    if start < 0 or end < 0:
        return _nest(rng, data)
    block = data[start:end + len(b"</DOCUMENT>")]
    if rng.random() < 0.5:
        block = block.replace(b"<rptOwnerName>", b"<rptOwnerName>OTHER ", 1)
    return data[:end + len(b"</DOCUMENT>")] + b"\n" + block + data[end + len(b"</DOCUMENT>"):]


def _empty(rng: random.Random, data: bytes) -> bytes:
    return rng.choice([b"", b"   \n\t", b"\xef\xbb\xbf", b"\xff\xfe"])


MUTATIONS: list[Mutation] = [
    _truncate, _flip, _delete_tag, _delete_span, _encoding, _huge_number, _bad_date, _bad_cik,
    _nest, _insert, _doctype, _duplicate_document, _empty,
]


def _stacked(rng: random.Random, data: bytes) -> bytes:
    for mutation in rng.sample(MUTATIONS[:-1], rng.randint(2, 3)):
        data = mutation(rng, data) or b" "
    return data


MUTATIONS.append(_stacked)


def _originals(shared: Path, rng: random.Random) -> list[Path]:
    corpus = shared / "corpus"
    xml = sorted((corpus / "xml").glob("*.xml"))
    txt = sorted((corpus / "txt").glob("*.txt"))
    return (rng.sample(xml, 14) + rng.sample(txt, 5) + sorted((corpus / "html").glob("*.html"))
            + sorted((corpus / "text").glob("*.txt")) + [shared / "seeds" / "form4-sonus-gruber-2004.txt"])


@pytest.fixture(scope="module")
def fuzz_folder(shared: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], list[Path]]:
    """``a-good/`` (the unchanged files, read first) and ``b-mutants/`` (COUNT mutants)."""
    rng = random.Random(SEED)
    originals = _originals(shared, rng)
    root = tmp_path_factory.mktemp("fuzz")
    good_dir, mutant_dir = root / "a-good", root / "b-mutants"
    good_dir.mkdir()
    mutant_dir.mkdir()
    good = []
    for source in originals:
        good.append(good_dir / source.name)
        good[-1].write_bytes(source.read_bytes())
    mutants = []
    for i in range(COUNT):
        source = rng.choice(originals)
        mutation = rng.choice(MUTATIONS)
        # No accession in the mutant's name, so that an XML mutant is a filing of its own.
        path = mutant_dir / f"m{i:04d}-{mutation.__name__.strip('_')}{source.suffix}"
        path.write_bytes(mutation(rng, source.read_bytes()))
        mutants.append(path)
    return root, good, mutants


def _lines_by_file(errors: list[str], mutants: list[Path]) -> dict[Path, list[str]]:
    names = {str(p): p for p in mutants}
    found: dict[Path, list[str]] = {}
    for line in errors:
        path = next((names[n] for n in names if line.startswith(n + ":")), None)
        assert path is not None, f"an error line about no mutant: {line[:300]}"
        assert "internal error" not in line, line[:300]
        found.setdefault(path, []).append(line)
    return found


def test_fuzzed_parse_keeps_the_batch_contract(fuzz_folder: tuple[Path, list[Path], list[Path]]) -> None:
    root, good, mutants = fuzz_folder
    run = invoke("parse", "--format", "jsonl", str(root))
    assert run.code == 1
    failed = _lines_by_file(run.errors, mutants)
    assert all(len(lines) == 1 for lines in failed.values()), [v for v in failed.values() if len(v) > 1]
    records = run.records()
    validator = jsonschema.Draft202012Validator(jsonout.load_schema())
    for record in records:
        problems = list(validator.iter_errors(record))
        assert not problems, (record["source"]["path"], problems[0].message)
    out = {r["source"]["path"] for r in records}
    for path in good:
        assert str(path) in out, path
    for path in mutants:
        # Each mutant: its filings, or its one line; never both, never neither.
        assert (str(path) in out) != (path in failed), path
    # The fuzzing reaches the loaders' error paths, not only the happy one.
    assert 0.2 * len(mutants) < len(failed) < 0.95 * len(mutants), len(failed)


def test_fuzzed_build_keeps_the_batch_contract(fuzz_folder: tuple[Path, list[Path], list[Path]],
                                               tmp_path: Path) -> None:
    root, good, mutants = fuzz_folder
    parse_run = invoke("parse", "--format", "jsonl", str(root))
    per_file: dict[str, int] = {}
    for record in parse_run.records():
        per_file[record["source"]["path"]] = per_file.get(record["source"]["path"], 0) + 1
    # build takes one filing per file: a submission with two different ownership
    # documents is refused there with its one line (parse prints both).
    expected_failed = set(_lines_by_file(parse_run.errors, mutants)) | {
        Path(p) for p, n in per_file.items() if n > 1}

    store = tmp_path / "store"
    run = invoke("build", str(root), "--store", str(store), "--no-progress")
    assert run.code == 1
    failed = _lines_by_file(run.errors, mutants)
    assert all(len(lines) == 1 for lines in failed.values())
    assert set(failed) == expected_failed
    read, _, n_failed = run.summary()
    assert n_failed == len(failed) and read == len(good) + len(mutants) - len(failed)
    ids = set(Store(store).tables().nodes["Filing"]["id"])
    for path in good:
        assert filing_id(detect.parse_path(path)) in ids, path
