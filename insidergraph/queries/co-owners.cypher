// co-owners: entity owners (Company nodes) that were 10% owners of at least $min_issuers issuers.
MATCH (o:Company)-[:TEN_PERCENT_OWNER_OF]->(c:Company)
WITH DISTINCT o, c
WITH o, count(c) AS issuer_count, collect(coalesce(c.cik, '')) AS issuer_ciks, collect(coalesce(c.name, '')) AS issuer_names
WHERE issuer_count >= $min_issuers
RETURN o.cik AS owner_cik, o.name AS owner_name, issuer_count, issuer_ciks, issuer_names
ORDER BY issuer_count DESC, o.id
