-- New rows dropped as duplicates and new rows kept as collisions, per import id.
SELECT
    import_id,
    count(*) FILTER (WHERE duplicate) AS duplicates,
    count(*) FILTER (WHERE NOT duplicate AND version > 1) AS collisions
FROM id_clashes
WHERE NOT stored
GROUP BY import_id;
