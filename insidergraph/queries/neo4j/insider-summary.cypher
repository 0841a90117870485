// insider-summary, Neo4j dialect: a duration for ladybug's date minus days, toUpper for upper.
// See ../insider-summary.cypher.
MATCH (t0:Transaction)
WHERE NOT coalesce(t0.superseded, false)
WITH max(t0.transaction_date) AS latest
WITH CASE WHEN $days > 0 THEN latest - duration({days: $days - 1}) WHEN $use_since THEN $since ELSE NULL END AS window_start,
     CASE WHEN $days > 0 THEN latest WHEN $use_until THEN $until ELSE NULL END AS window_end
MATCH (o)-[:TRANSACTED]->(t:Transaction)-[:REPORTED_IN]->(f:Filing)-[:ABOUT]->(c:Company)
WITH window_start, window_end, o, t, f, c, $person_by_text AS needle
WHERE NOT coalesce(t.superseded, false) AND t.`table` = 'non_derivative' AND t.transaction_code IN ['P', 'S']
  AND (window_start IS NULL OR t.transaction_date >= window_start)
  AND (window_end IS NULL OR t.transaction_date <= window_end)
  AND ($any_person OR o.cik = $person_by_cik OR o.id = $person_by_id
       OR (needle <> '' AND (lower(o.name) CONTAINS needle OR any(a IN o.aliases WHERE lower(a) CONTAINS needle))))
  AND ($any_issuer OR c.cik = $issuer_by_cik OR c.id = $issuer_by_id
       OR ($issuer_by_text <> '' AND toUpper(c.ticker) = $issuer_by_text))
WITH window_start, window_end, o, c, t.transaction_code = 'P' AS buy, coalesce(t.shares, 0.0) AS shares,
     floor(t.shares * t.price_per_share * 100 + 0.5) AS cents, coalesce(f.aff10b5one, false) AS plan
WITH window_start, window_end, o, c,
     count(CASE WHEN buy THEN 1 ELSE NULL END) AS buy_count, count(CASE WHEN buy THEN NULL ELSE 1 END) AS sell_count,
     sum(CASE WHEN buy THEN shares ELSE 0.0 END) AS bought, sum(CASE WHEN buy THEN 0.0 ELSE shares END) AS sold,
     sum(CASE WHEN buy AND cents IS NOT NULL THEN cents ELSE 0.0 END) AS bought_cents,
     sum(CASE WHEN NOT buy AND cents IS NOT NULL THEN cents ELSE 0.0 END) AS sold_cents,
     sum(CASE WHEN buy AND cents IS NOT NULL THEN shares ELSE 0.0 END) AS priced_bought,
     sum(CASE WHEN NOT buy AND cents IS NOT NULL THEN shares ELSE 0.0 END) AS priced_sold,
     sum(CASE WHEN NOT buy AND plan THEN shares ELSE 0.0 END) AS sold_in_plan
OPTIONAL MATCH (b)-[:TRANSACTED]->(bt:Transaction)-[:REPORTED_IN]->(:Filing)-[:ABOUT]->(c)
WHERE bt.transaction_code = 'P' AND bt.`table` = 'non_derivative' AND NOT coalesce(bt.superseded, false)
// The window is tested here, not in the OPTIONAL MATCH, as in ../insider-summary.cypher (where
// ladybug needs it): the same text in both dialects.
WITH window_start, window_end, o, c, buy_count, sell_count, bought, sold, bought_cents, sold_cents, priced_bought,
     priced_sold, sold_in_plan,
     CASE WHEN (window_start IS NULL OR bt.transaction_date >= window_start)
               AND (window_end IS NULL OR bt.transaction_date <= window_end) THEN b.id ELSE NULL END AS buyer
WITH window_start, window_end, o, c, buy_count, sell_count, bought, sold, bought_cents, sold_cents, priced_bought,
     priced_sold, sold_in_plan, count(DISTINCT buyer) AS insiders_buying
RETURN o.cik AS person_cik, o.name AS person_name, c.cik AS issuer_cik, c.name AS issuer_name, window_start,
       window_end, buy_count, sell_count, bought AS shares_bought, sold AS shares_sold,
       bought_cents / 100 AS value_bought, sold_cents / 100 AS value_sold, bought - sold AS net_shares,
       (bought_cents - sold_cents) / 100 AS net_value,
       CASE WHEN priced_bought > 0 THEN bought_cents / 100 / priced_bought ELSE NULL END AS avg_buy_price,
       CASE WHEN priced_sold > 0 THEN sold_cents / 100 / priced_sold ELSE NULL END AS avg_sell_price,
       insiders_buying, CASE WHEN sold > 0 THEN sold_in_plan / sold ELSE NULL END AS sales_10b5_1_share
ORDER BY c.id, o.id
