"""Powers of attorney (EX-24): each exhibit of ../shared/corpus/exhibits read by hand.

The expectations below were written from reading each exhibit: the grantor as it signs,
the attorneys the appointment names (firms left out), the companies covered as stated,
the date signed and whether it revokes earlier powers.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from insidergraph.errors import ParseError
from insidergraph.graph.build import build_graph
from insidergraph.loaders.detect import parse_document, parse_path, sniff
from insidergraph.loaders.names import person_key
from insidergraph.model import PowerOfAttorney

# file prefix -> (grantor, attorneys, companies, date signed, revokes earlier powers)
BY_HAND: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], date, bool]] = {
    "0000899243-17-024441": ("Roelof F. Botha", ("Chris Cooper", "Marie Klemchuk", "Jung Yeon Son"), (),
                             date(2017, 4, 24), False),
    "0000899243-18-024846": ("Roelof Botha", ("Julia Hartz", "Randy Befumo", "Samantha Harnett", "An-Yen Hu"),
                             ("Eventbrite, Inc.",), date(2018, 8, 20), False),
    "0000899243-19-022340": ("Roelof F. Botha", ("Jung Yeon Son", "Marie Klemchuk"), (), date(2019, 8, 21), False),
    "0000899243-21-017509": ("Elon Musk", ("Seth Krauss", "Robert Hilton"), ("Endeavor Group Holdings, Inc.",),
                             date(2021, 4, 28), False),
    "0000899243-21-032834": ("Reid Hoffman", ("Kate DeHoff", "Mustafa Rizvi"), ("Joby Aviation, Inc.",),
                             date(2021, 8, 10), False),
    "0000899243-21-044370": ("David O. Sacks", ("Yibo Ling", "Lisa Murison", "Kevin Lee"), ("Bird Global, Inc.",),
                             date(2021, 10, 26), False),
    "0000950103-22-008730": ("Peter Thiel", ("Jennifer Newstead", "Katherine R. Kelly", "Erin Guldiken"),
                             ("Meta Platforms, Inc.",), date(2022, 5, 4), False),
    "0001062993-24-020387": ("Reid G. Hoffman", ("Julia Stark", "Benjamin O. Orndorff", "Michael Pressman",
                                                 "Keith R. Dolliver", "Christyne Mayberry"),
                             ("Microsoft Corporation",), date(2024, 9, 16), True),
    "0001179110-13-006240": ("Max Levchin", ("Ronald S. Bell", "Kenneth A. Goldman", "Aman S. Kothari"),
                             ("Yahoo! Inc.",), date(2012, 12, 13), False),
    "0001181431-12-064161": ("Elon Musk", ("Lyndon R. Rive", "Robert D. Kelly", "Seth R. Weissman"),
                             ("SolarCity Corporation",), date(2012, 8, 2), False),
    "0001209191-11-061529": ("Reid Hoffman", ("Reginald D. Davis", "Chrystal Menard", "Devang Shah", "Karyn Smith",
                                              "Sara Stapleton", "Mark Vranesh", "David M. Wehner"),
                             ("Zynga Inc.",), date(2011, 12, 14), False),
    "0001209191-21-003525": ("Max Levchin", ("Sharda Caro del Castillo", "David Ritenour", "Ryan Chen"),
                             ("Affirm Holdings, Inc.",), date(2021, 1, 12), False),
    "0001415889-22-006006": ("Roelof Botha", ("Daniel Rabinowitz", "Tami Chen", "Vincent Fontanilla",
                                              "Jeffrey Thacker"), ("Natera, Inc.",), date(2022, 2, 7), False),
    "0001441816-23-000119": ("Roelof Botha", ("Andrew Stephens", "Paul Johnston", "Gahee Lee", "Nicole Brookshire",
                                              "Jacqueline Marino", "Robert Mackenzie"),
                             ("MongoDB, Inc.",), date(2023, 2, 17), False),
    "0001475115-20-000084": ("Roelof Botha", ("Julia Hartz", "Charles Baker", "Samantha Harnett", "Julia Taylor",
                                              "Kristin Johnston"), ("Eventbrite, Inc.",), date(2019, 9, 5), True),
    "0001494730-18-000001": ("Elon Musk", ("Todd Maron", "Jonathan Chang", "Yun Huh", "Aaron Beckman"),
                             ("Tesla Motors, Inc.",), date(2018, 1, 10), False),
    "0001628280-24-038676": ("Roelof Botha", ("Guy Chayoun", "Savita Pillai"), ("23andMe Holding Co.",),
                             date(2024, 8, 19), True),
    "0001828108-23-000105": ("Reid Hoffman", ("Jessica McBride", "Nolan Shenai", "Yijun Han", "Mingshu Liu",
                                              "Erin Brown", "Jiani Wang"), ("Aurora Innovation, Inc.",),
                             date(2023, 5, 19), False),
    "0001829126-23-000711": ("Jack Selby", ("Philip Rodoni", "Kevin Schubert"), ("Rubicon Technologies, Inc.",),
                             date(2023, 1, 9), False),
}


def _exhibit(corpus: Path, prefix: str) -> Path:
    (path,) = sorted((corpus / "exhibits").glob(f"{prefix}__*"))
    return path


@pytest.mark.parametrize("prefix", sorted(BY_HAND))
def test_exhibit_reads_as_by_hand(corpus: Path, prefix: str) -> None:
    poa = parse_document(_exhibit(corpus, prefix))
    assert isinstance(poa, PowerOfAttorney)
    grantor, attorneys, companies, signed, revokes = BY_HAND[prefix]
    assert (poa.grantor, poa.attorneys, poa.companies, poa.date_signed, poa.revokes_prior) == (
        grantor, attorneys, companies, signed, revokes)
    assert poa.accession == prefix and poa.source is not None and poa.source.format == "ex24"


def test_trust_grantor_is_the_entity_above_by(corpus: Path) -> None:
    poa = parse_document(corpus / "exhibits" / "0001181431-11-030813__rrd279589_316158.htm")
    assert isinstance(poa, PowerOfAttorney)
    assert poa.grantor == "THE REID HOFFMAN AND MICHELLE YEE LIVING TRUST DATED OCTOBER 27, 2009"


def test_every_exhibit_is_read_or_refused_with_one_line(corpus: Path) -> None:
    read, refused = 0, []
    for path in sorted((corpus / "exhibits").iterdir()):
        assert sniff(path.read_bytes()) == "ex24", path
        try:
            poa = parse_document(path)
        except ParseError as err:
            refused.append(str(err))
            continue
        assert isinstance(poa, PowerOfAttorney) and poa.grantor, path
        read += 1
    assert read == 40
    # Two exhibits of 0001062993-21-005990 hold only the words "Exhibit 24.x" (scanned images).
    assert [r.split("/")[-1] for r in refused] == [
        "0001062993-21-005990__exhibit24-1.htm:1: EX-24 exhibit without text"
        " (the power of attorney is probably an image)",
        "0001062993-21-005990__exhibit24-2.htm:1: EX-24 exhibit without text"
        " (the power of attorney is probably an image)",
    ]


def test_parse_path_names_an_exhibit_for_what_it_is(corpus: Path) -> None:
    with pytest.raises(ParseError, match=r"a power of attorney \(EX-24\), not a Form 3, 4 or 5"):
        parse_path(_exhibit(corpus, "0000899243-18-024846"))


def test_submission_ex24_has_the_filing_owner_as_grantor(corpus: Path) -> None:
    f = parse_path(corpus / "txt" / "0001140361-14-019536__INFU__F4.txt")
    (poa,) = f.powers_of_attorney
    assert (poa.grantor, poa.grantor_cik, poa.attorneys) == ("Steen Eric K", "0001572871",
                                                             ("Trent Smith", "Jonathan Foster"))
    assert poa.companies == ("InfuSystem Holdings, Inc.",) and poa.date_signed == date(2014, 5, 8)
    f = parse_path(corpus / "txt" / "0001127602-25-001055__AIR__F4.txt")
    (poa,) = f.powers_of_attorney
    assert (poa.grantor_cik, poa.attorneys) == ("0001806647", ("Katherine Kwiat", "Kim Loies", "Jamie Brown"))


def test_grants_in_the_graph_merge_attorneys_with_signers(corpus: Path) -> None:
    items = [parse_path(p) for p in sorted((corpus / "xml").glob("*.xml"))]
    items += [parse_document(_exhibit(corpus, prefix)) for prefix in BY_HAND]
    g = build_graph(items)
    grants = g.edges["GRANTED_POWER_OF_ATTORNEY"]
    people = g.nodes["Person"].set_index("id")
    eventbrite = grants[grants["accession"] == "0000899243-18-024846"]
    # The exhibit came with Botha's filing: the grantor is his CIK node.
    assert set(eventbrite["src"]) == {"person/0001222287"}
    names = {people.loc[d, "name"] for d in eventbrite["dst"]}
    assert {person_key(n) for n in names} == {person_key(n) for n in
                                               ("Julia Hartz", "Randy Befumo", "Samantha Harnett", "An-Yen Hu")}
    # Samantha Harnett also signs Botha's filings: one node for the signer and the attorney.
    signed = g.edges["SIGNED"]
    harnett = {d for d in eventbrite["dst"] if person_key(people.loc[d, "name"]) == person_key("Samantha Harnett")}
    assert harnett and harnett <= set(signed["src"])
    assert all(not isinstance(v, str) for v in grants["scope"])  # a list per edge
