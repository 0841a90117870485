// interlocks without its date options ($use_as_of and $overlapping false): every seat counts.
// The same answer as interlocks.cypher, without its span predicates (see NamedQuery.text).
// A person has one DIRECTOR_OF per issuer, so seats and (a, b, p) rows need no DISTINCT.
MATCH (p:Person)-[:DIRECTOR_OF]->(c:Company)
WITH p, count(c) AS boards
WHERE boards >= 2 AND ($max_boards = 0 OR boards <= $max_boards)
MATCH (p)-[:DIRECTOR_OF]->(a:Company)
MATCH (p)-[:DIRECTOR_OF]->(b:Company)
WHERE a.id < b.id
WITH a, b, count(p) AS shared_count, collect(coalesce(p.name, '')) AS shared_directors
WHERE shared_count >= $min_shared
RETURN a.cik AS issuer_a_cik, a.name AS issuer_a_name, b.cik AS issuer_b_cik, b.name AS issuer_b_name,
       shared_count, shared_directors
ORDER BY shared_count DESC, a.id, b.id
