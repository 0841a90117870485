// attorney-network: attorneys-in-fact ranked by the insiders they signed for (ATTORNEY_IN_FACT_FOR)
// and the issuers and filings of the filings they signed as attorney-in-fact, beside the powers of
// attorney granted to them (GRANTED_POWER_OF_ATTORNEY): how many, by how many grantors, and how many
// of the insiders they signed for granted them none. An attorney is a person, or an entity owner
// (a trust company, a fund manager) that signed for another.
MATCH (a:Person|Company)
WHERE EXISTS { MATCH (a)-[:ATTORNEY_IN_FACT_FOR]->() } OR EXISTS { MATCH ()-[:GRANTED_POWER_OF_ATTORNEY]->(a) }
OPTIONAL MATCH (a)-[:ATTORNEY_IN_FACT_FOR]->(o)
WITH a, count(DISTINCT o) AS insider_count, collect(DISTINCT o.name) AS insider_names
WHERE insider_count >= $min_insiders
OPTIONAL MATCH (a)-[s:SIGNED]->(f:Filing)-[:ABOUT]->(c:Company)
WHERE s.attorney_in_fact
WITH a, insider_count, insider_names, count(DISTINCT c) AS issuer_count, count(DISTINCT f) AS filing_count,
     collect(DISTINCT c.name) AS issuer_names
OPTIONAL MATCH (w)-[g:GRANTED_POWER_OF_ATTORNEY]->(a)
WITH a, insider_count, insider_names, issuer_count, filing_count, issuer_names, count(DISTINCT g) AS power_count,
     count(DISTINCT w) AS grantor_count, collect(DISTINCT w.name) AS grantor_names
OPTIONAL MATCH (a)-[:ATTORNEY_IN_FACT_FOR]->(u)
WHERE NOT EXISTS { MATCH (u)-[:GRANTED_POWER_OF_ATTORNEY]->(a) }
WITH a, insider_count, insider_names, issuer_count, filing_count, issuer_names, power_count, grantor_count,
     grantor_names, count(DISTINCT u) AS insiders_without_power
RETURN a.name AS attorney_name, insider_count, issuer_count, filing_count, insider_names, issuer_names,
       power_count, grantor_count, grantor_names, insiders_without_power
ORDER BY insider_count DESC, issuer_count DESC, a.id
