"""The local mirror: EDGAR's own layout, written so that no half file is ever left.

``<root>/Archives/edgar/data/<cik>/<accession without dashes>/<accession>.txt`` holds a
filing's complete submission. A file is written under a hidden ``.partial`` name beside
its place and renamed when complete, so a fetch killed at any moment leaves either the
whole file or none (hidden names are skipped by ``insidergraph build``, and the next
fetch removes them). Archived filings never change, so a filing present is never asked
for again.

>>> import tempfile
>>> m = Mirror(tempfile.mkdtemp())
>>> p = m.write_filing("1318605", "0000899243-22-035394", b"<SEC-DOCUMENT>")
>>> p.relative_to(m.root).as_posix()
'Archives/edgar/data/1318605/000089924322035394/0000899243-22-035394.txt'
>>> sorted(m.scan())
['0000899243-22-035394']
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from lxml import etree

from insidergraph.errors import InsiderGraphError
from insidergraph.loaders.submission import is_submission

_XML_BLOCK = re.compile(rb"<XML>\s*(.*?)\s*</XML>", re.DOTALL | re.IGNORECASE)
_NAME = re.compile(r"^(\d{10}-\d{2}-\d{6})\.txt$")


class FilingError(InsiderGraphError):
    """A downloaded submission is not usable; nothing of it is kept."""


def check_submission(data: bytes) -> None:
    """Refuse what is no complete submission or holds ownership XML that does not parse.

    A pre-2003 text filing has no XML and passes as it is.

    >>> try:
    ...     check_submission(b"<SEC-DOCUMENT>x<XML><ownershipDocument></XML></SEC-DOCUMENT>")
    ... except FilingError as err:
    ...     print(err)
    ownership XML does not parse: line 1: Premature end of data in tag ownershipDocument line 1
    """
    if not is_submission(data[:4096]):
        raise FilingError("not an EDGAR complete submission")
    # No entities, no DTD, no network: the check must never open anything.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    for block in _XML_BLOCK.findall(data):
        if b"<ownershipDocument" not in block:
            continue
        try:
            etree.fromstring(block, parser)
        except etree.XMLSyntaxError as err:
            message = (err.msg or str(err)).split(", line ")[0]
            line = f"line {err.lineno}: " if err.lineno else ""
            raise FilingError(f"ownership XML does not parse: {line}{message}") from None


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    with partial.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())  # the rename must never publish a file whose bytes are not on disk
    os.replace(partial, target)


class Mirror:
    """A mirror folder (created when the first file is written)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    @property
    def data_dir(self) -> Path:
        return self.root / "Archives" / "edgar" / "data"

    @property
    def datasets_dir(self) -> Path:
        return self.root / "datasets"

    def filing_path(self, cik: str, accession: str) -> Path:
        """Where the filing goes in the folder of ``cik``."""
        return self.data_dir / str(int(cik)) / accession.replace("-", "") / f"{accession}.txt"

    def scan(self) -> dict[str, Path]:
        """Every filing present, by accession (wherever its CIK folder), after removing
        the ``.partial`` files an earlier run broke off."""
        present: dict[str, Path] = {}
        if not self.data_dir.is_dir():
            return present
        for root, dirs, files in os.walk(self.data_dir):
            dirs.sort()
            for name in sorted(files):
                if name.startswith(".") and name.endswith(".partial"):
                    os.unlink(os.path.join(root, name))
                    continue
                m = _NAME.match(name)
                if m and m.group(1) not in present:
                    # os.path.join, as os.walk in `insidergraph build` spells the same path.
                    present[m.group(1)] = Path(os.path.join(root, name))
        return present

    def write_filing(self, cik: str, accession: str, data: bytes) -> Path:
        """Write a complete submission into place; returns its path."""
        target = self.filing_path(cik, accession)
        _atomic_write(target, data)
        return target

    def dataset_path(self, name: str) -> Path:
        """Where a data-set zip goes."""
        return self.datasets_dir / name

    def write_dataset(self, name: str, data: bytes) -> Path:
        """Write a data-set zip into place; returns its path."""
        target = self.dataset_path(name)
        _atomic_write(target, data)
        return target
