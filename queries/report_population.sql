-- Sessions, exited sessions and converted sessions of the whole workspace.
SELECT
    count(*) AS sessions,
    count(*) FILTER (WHERE exited) AS exited,
    count(*) FILTER (WHERE converted) AS converted
FROM sessions;
