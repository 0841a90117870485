// shared-directors: persons who were directors of at least $min_boards distinct issuers.
// A seat's span runs from coalesce(first_period, first_filed) to coalesce(last_period, last_filed).
// $use_as_of: keep seats whose span contains $as_of. $overlapping: keep seats whose span
// intersects the span of another seat of the same person (both also passing $as_of).
MATCH (p:Person)-[r:DIRECTOR_OF]->(c:Company)
WHERE NOT $use_as_of
   OR (coalesce(r.first_period, r.first_filed) <= $as_of AND $as_of <= coalesce(r.last_period, r.last_filed))
MATCH (p)-[r2:DIRECTOR_OF]->(c2:Company)
WHERE NOT $overlapping
   OR (c2.id <> c.id
       AND (NOT $use_as_of
            OR (coalesce(r2.first_period, r2.first_filed) <= $as_of AND $as_of <= coalesce(r2.last_period, r2.last_filed)))
       AND coalesce(r.first_period, r.first_filed) <= coalesce(r2.last_period, r2.last_filed)
       AND coalesce(r2.first_period, r2.first_filed) <= coalesce(r.last_period, r.last_filed))
WITH DISTINCT p, c
WITH p, count(c) AS issuer_count, collect(coalesce(c.cik, '')) AS issuer_ciks, collect(coalesce(c.name, '')) AS issuer_names
WHERE issuer_count >= $min_boards
RETURN p.cik AS person_cik, p.name AS person_name, issuer_count, issuer_ciks, issuer_names
ORDER BY issuer_count DESC, p.id
