-- A spreadsheet runs a cell that starts with one of = + - @ tab or carriage return as a formula,
-- so the CSV export puts a single quote before such a text cell.
CREATE OR REPLACE TEMPORARY MACRO spreadsheet_safe(value) AS
    CASE WHEN regexp_matches(value, '^[=+\-@\t\r]') THEN '''' || value ELSE value END;
