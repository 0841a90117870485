// connection, Neo4j dialect: allShortestPaths, list comprehensions, 0-based lists, type(r).
// Same choice as ../connection.cypher: of all shortest paths, the smallest list of node ids.
MATCH (a:Person|Company) WHERE a.cik = $source_by_cik OR a.id = $source_by_id
MATCH (b:Person|Company) WHERE (b.cik = $target_by_cik OR b.id = $target_by_id) AND a <> b
MATCH p = allShortestPaths((a)-[:DIRECTOR_OF|OFFICER_OF|TEN_PERCENT_OWNER_OF|OTHER_RELATION_TO|ATTORNEY_IN_FACT_FOR*..30]-(b))
WITH [n IN nodes(p) | n.id] AS ns
WITH ns, reduce(s = '', x IN ns | s + ' ' + x) AS k
ORDER BY k LIMIT 1
UNWIND range(0, size(ns) - 2) AS i
UNWIND [[ns[i], ns[i + 1], '->'], [ns[i + 1], ns[i], '<-']] AS d
MATCH (x:Person|Company {id: d[0]})-[r:DIRECTOR_OF|OFFICER_OF|TEN_PERCENT_OWNER_OF|OTHER_RELATION_TO|ATTORNEY_IN_FACT_FOR]->(y:Person|Company {id: d[1]})
WITH i, d[2] AS direction, type(r) AS relationship,
     CASE WHEN d[2] = '->' THEN x ELSE y END AS f, CASE WHEN d[2] = '->' THEN y ELSE x END AS t
RETURN DISTINCT i + 1 AS hop, f.name AS from_name, f.cik AS from_cik, relationship, direction, t.name AS to_name, t.cik AS to_cik
ORDER BY hop, relationship, direction
