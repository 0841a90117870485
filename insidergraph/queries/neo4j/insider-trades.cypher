// insider-trades, Neo4j dialect: split for ladybug's split_part (a code not in the table gives null,
// not ''), toUpper for upper. See ../insider-trades.cypher.
MATCH (o)-[:TRANSACTED]->(t:Transaction)-[:REPORTED_IN]->(f:Filing)-[:ABOUT]->(c:Company)
WITH o, t, f, c, $person_by_text AS needle
WHERE NOT coalesce(t.superseded, false)
  AND ($any_person OR o.cik = $person_by_cik OR o.id = $person_by_id
       OR (needle <> '' AND (lower(o.name) CONTAINS needle OR any(a IN o.aliases WHERE lower(a) CONTAINS needle))))
  AND ($any_issuer OR c.cik = $issuer_by_cik OR c.id = $issuer_by_id
       OR ($issuer_by_text <> '' AND toUpper(c.ticker) = $issuer_by_text))
  AND (NOT $use_since OR t.transaction_date >= $since) AND (NOT $use_until OR t.transaction_date <= $until)
  AND ($codes = '' OR $codes CONTAINS (',' + t.transaction_code + ','))
WITH o, t, f, c, split(split($code_table, '|' + t.transaction_code + '=')[1], '|')[0] AS words
RETURN t.transaction_date AS transaction_date, o.cik AS person_cik, o.name AS person_name, c.cik AS issuer_cik,
       c.name AS issuer_name, t.security_title AS security, t.transaction_code AS code,
       words AS code_description, t.acquired_disposed AS acquired_disposed,
       t.shares AS shares, t.price_per_share AS price, floor(t.shares * t.price_per_share * 100 + 0.5) / 100 AS value,
       t.shares_owned_following AS shares_owned_following, t.direct_indirect AS direct_indirect,
       f.aff10b5one AS aff10b5one, f.accession AS accession
ORDER BY coalesce(t.transaction_date, date('1900-01-01')), o.id, f.id, t.`table` DESC, t.seq
