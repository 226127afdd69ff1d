-- Write export_rows as JSON Lines (one object per line) at the path in parameter 1.
COPY (SELECT * FROM export_rows ORDER BY position) TO ? (FORMAT json);
