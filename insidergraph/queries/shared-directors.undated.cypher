// shared-directors without its date options ($use_as_of and $overlapping false): every seat
// counts. The same answer as shared-directors.cypher, without its span predicates (see
// NamedQuery.text). A person has one DIRECTOR_OF per issuer (the builder merges every
// filing's seat into it), so the seats need no DISTINCT.
MATCH (p:Person)-[:DIRECTOR_OF]->(c:Company)
WITH p, count(c) AS issuer_count, collect(coalesce(c.cik, '')) AS issuer_ciks, collect(coalesce(c.name, '')) AS issuer_names
WHERE issuer_count >= $min_boards
RETURN p.cik AS person_cik, p.name AS person_name, issuer_count, issuer_ciks, issuer_names
ORDER BY issuer_count DESC, p.id
