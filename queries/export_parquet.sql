-- Write export_rows to Parquet at the path in parameter 1.
COPY (SELECT * FROM export_rows ORDER BY position) TO ? (FORMAT parquet);
