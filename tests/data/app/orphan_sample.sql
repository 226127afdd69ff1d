-- A sample whose sessions are missing from the sessions table, as after a re-import gone wrong.
INSERT INTO samples VALUES
  (1, 'last 500 exited', TIMESTAMPTZ '2024-03-05 16:00:00+00', 2, 1, 'ghost-1'),
  (1, 'last 500 exited', TIMESTAMPTZ '2024-03-05 16:00:00+00', 2, 2, 'ghost-2');
