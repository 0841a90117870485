// attorney-network: attorneys-in-fact ranked by the insiders they signed for (ATTORNEY_IN_FACT_FOR)
// and the issuers and filings of the filings they signed as attorney-in-fact.
MATCH (a:Person)-[:ATTORNEY_IN_FACT_FOR]->(o)
WITH a, count(DISTINCT o) AS insider_count, collect(DISTINCT o.name) AS insider_names
WHERE insider_count >= $min_insiders
OPTIONAL MATCH (a)-[s:SIGNED]->(f:Filing)-[:ABOUT]->(c:Company)
WHERE s.attorney_in_fact
WITH a, insider_count, insider_names, count(DISTINCT c) AS issuer_count, count(DISTINCT f) AS filing_count,
     collect(DISTINCT c.name) AS issuer_names
RETURN a.name AS attorney_name, insider_count, issuer_count, filing_count, insider_names, issuer_names
ORDER BY insider_count DESC, issuer_count DESC, a.id
