// interlocks: pairs of issuers (a.id < b.id) sharing at least $min_shared directors (persons).
// $use_as_of / $as_of: only seats whose span contains the date. $overlapping: a director links
// a and b only when the seats at a and at b intersect in time. $max_boards > 0: leave out
// persons on more than that many boards (counted after the $as_of filter).
// A person has one DIRECTOR_OF per issuer (the builder merges every filing's seat into it),
// so seats and (a, b, p) rows need no DISTINCT.
MATCH (p:Person)-[r:DIRECTOR_OF]->(c:Company)
WHERE NOT $use_as_of
   OR (coalesce(r.first_period, r.first_filed) <= $as_of AND $as_of <= coalesce(r.last_period, r.last_filed))
WITH p, count(c) AS boards
WHERE boards >= 2 AND ($max_boards = 0 OR boards <= $max_boards)
MATCH (p)-[r1:DIRECTOR_OF]->(a:Company)
WHERE NOT $use_as_of
   OR (coalesce(r1.first_period, r1.first_filed) <= $as_of AND $as_of <= coalesce(r1.last_period, r1.last_filed))
MATCH (p)-[r2:DIRECTOR_OF]->(b:Company)
WHERE a.id < b.id
  AND (NOT $use_as_of
       OR (coalesce(r2.first_period, r2.first_filed) <= $as_of AND $as_of <= coalesce(r2.last_period, r2.last_filed)))
  AND (NOT $overlapping
       OR (coalesce(r1.first_period, r1.first_filed) <= coalesce(r2.last_period, r2.last_filed)
           AND coalesce(r2.first_period, r2.first_filed) <= coalesce(r1.last_period, r1.last_filed)))
WITH a, b, count(p) AS shared_count, collect(coalesce(p.name, '')) AS shared_directors
WHERE shared_count >= $min_shared
RETURN a.cik AS issuer_a_cik, a.name AS issuer_a_name, b.cik AS issuer_b_cik, b.name AS issuer_b_name,
       shared_count, shared_directors
ORDER BY shared_count DESC, a.id, b.id
