// insider-roles, Neo4j dialect: type(r) for ladybug's label(r), toLower for lower.
MATCH (p:Person)
WITH p, $person_by_text AS needle
WHERE p.cik = $person_by_cik OR p.id = $person_by_id
   OR (needle <> '' AND (toLower(p.name) CONTAINS needle
                         OR any(a IN coalesce(p.aliases, []) WHERE toLower(a) CONTAINS needle)))
MATCH (p)-[r:DIRECTOR_OF|OFFICER_OF|TEN_PERCENT_OWNER_OF|OTHER_RELATION_TO]->(c:Company)
WITH p, r, c, type(r) AS role, coalesce(r.title, r.text) AS title,
     coalesce(r.first_period, r.first_filed) AS span_start, coalesce(r.last_period, r.last_filed) AS span_end
RETURN p.cik AS person_cik, p.name AS person_name, role, title, c.cik AS issuer_cik, c.name AS issuer_name,
       span_start, span_end, r.filing_count AS filing_count
ORDER BY p.id, coalesce(span_start, date('1900-01-01')), c.id, role, coalesce(title, '')
