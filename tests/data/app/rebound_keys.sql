-- A newer config for triage.sql: `next` moves to "l" and the taxonomy has two reasons of its own.
INSERT INTO config VALUES (TIMESTAMPTZ '2024-03-05 09:00:00+00', '
[keys]
next = "l"

[[reasons]]
id = "broken_code"
title = "Broken code"
key = "1"

[[reasons]]
id = "timeout"
title = "Timed out"
key = "x"
');
