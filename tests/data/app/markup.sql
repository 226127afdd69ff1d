-- Export values that look like Rich markup or Textual action links; each must show as typed.
INSERT INTO config VALUES (TIMESTAMPTZ '2024-03-05 08:00:00+00', '
[label.map]
"[b]lbl" = "broken_code"
');

INSERT INTO events (event_id, session_id, user_id, ts, event, url, target, status, message,
                    channel, device, label, source_file, import_id, row_number, content_hash)
VALUES
  ('m1', '[@click=app.quit]s', '[i]u', TIMESTAMPTZ '2024-03-05 10:00:00+00', '[bold]ev', '[/]', '[red]t', 500,
   '[@click=app.bell]m', '[u]ch', '[s]dv', '[b]lbl', 'm.csv', 1, 1, 1),
  ('m2', '[@click=app.quit]s', '[i]u', TIMESTAMPTZ '2024-03-05 10:00:05+00', '[link=x]e2', '[/]', NULL, 200,
   NULL, '[u]ch', '[s]dv', '[b]lbl', 'm.csv', 1, 2, 2);

INSERT INTO sessions (session_id, user_id, started_at, ended_at, events, channel, device, landing_url, exit_url,
                      last_event, furthest_stage, furthest_stage_index, entered, converted, exited,
                      exit_stage, label) VALUES
  ('[@click=app.quit]s', '[i]u', TIMESTAMPTZ '2024-03-05 10:00:00+00', TIMESTAMPTZ '2024-03-05 10:00:05+00', 2,
   '[u]ch', '[s]dv', '[on red]in', '[/]out', '[link=x]e2', '[dim]st', 0, true, false, true, '[dim]st', '[b]lbl');

INSERT INTO samples VALUES
  (1, 'last 500 exited', TIMESTAMPTZ '2024-03-05 16:00:00+00', 1, 1, '[@click=app.quit]s');

INSERT INTO signals VALUES
  (1, '[@click=app.quit]s', 'error', 'broken_code', 1, ['m1'], '[@click=app.quit]sig');
