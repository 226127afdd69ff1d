-- Decisions of auditor "ana" at fixed times: s-001 tagged from its suggestion, s-002 skipped.
INSERT INTO tag_log (session_id, auditor, action, reason, note, suggested_reason, accepted, sample_id, tagged_at)
VALUES
  ('s-001', 'ana', 'tag', 'broken_code', 'pay call fails', 'broken_code', true, 1, TIMESTAMPTZ '2024-03-05 16:05:00+00'),
  ('s-002', 'ana', 'skip', NULL, NULL, NULL, NULL, 1, TIMESTAMPTZ '2024-03-05 16:06:30+00');
