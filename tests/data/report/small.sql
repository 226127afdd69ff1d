-- A hand-made workspace for the report tests; tests/test_report.py works out every figure from it.
-- Sessions s01-s12 exit the funnel, c01 and c02 convert, n01 never enters it.
-- 2024-03-04 is a Monday. s02 and s06 end on Sunday 23:30 UTC, which is Monday in most of Europe.
INSERT INTO events (event_id, session_id, ts, event, url, channel, device, label,
                    source_file, import_id, row_number, content_hash)
SELECT
    session_id || '-' || step, session_id, ts::TIMESTAMPTZ, event, url, channel, device, label,
    'small.csv', 1, row_number() OVER (ORDER BY session_id, step), hash(session_id, step)
FROM (VALUES
    ('s01', 1, '2024-03-04 09:50:00+00', 'view_product', '/p/1', 'email', 'desktop', NULL),
    ('s01', 2, '2024-03-04 09:52:00+00', 'add_to_cart', '/p/1', NULL, NULL, NULL),
    ('s01', 3, '2024-03-04 09:55:00+00', 'page_view', 'https://shop.example/checkout', NULL, NULL, NULL),
    ('s01', 4, '2024-03-04 10:00:00+00', 'error', 'https://shop.example/checkout', NULL, NULL, 'payment_error'),
    ('s02', 1, '2024-03-10 23:20:00+00', 'view_product', '/p/2', 'ads', 'mobile', NULL),
    ('s02', 2, '2024-03-10 23:30:00+00', 'add_to_cart', '/p/2', NULL, NULL, 'price_shock'),
    ('s03', 1, '2024-03-05 08:00:00+00', 'view_product', '/p/3', 'email', 'mobile', 'abandoned'),
    ('s04', 1, '2024-03-04 11:00:00+00', 'view_product', '/p/4', 'ads', 'desktop', NULL),
    ('s04', 2, '2024-03-04 11:01:00+00', 'add_to_cart', '/p/4', NULL, NULL, NULL),
    ('s04', 3, '2024-03-04 11:02:00+00', 'page_view', '/checkout?step=1', NULL, NULL, 'price_shock'),
    ('s05', 1, '2024-03-06 12:00:00+00', 'view_product', '/p/5', 'email', 'desktop', NULL),
    ('s05', 2, '2024-03-06 12:01:00+00', 'add_to_cart', '/p/5', NULL, NULL, NULL),
    ('s05', 3, '2024-03-06 12:02:00+00', 'page_view', '/checkout', NULL, NULL, NULL),
    ('s05', 4, '2024-03-06 12:03:00+00', 'page_view', '/checkout?step=2', NULL, NULL, 'payment_error'),
    ('s06', 1, '2024-03-10 23:00:00+00', 'view_product', '/p/6', 'ads', 'mobile', NULL),
    ('s06', 2, '2024-03-10 23:10:00+00', 'add_to_cart', '/p/6', NULL, NULL, NULL),
    ('s06', 3, '2024-03-10 23:30:00+00', 'add_to_cart', '/p/6', NULL, NULL, NULL),
    ('s07', 1, '2024-03-07 10:00:00+00', 'view_product', '/p/7', 'email', 'desktop', NULL),
    ('s07', 2, '2024-03-07 10:01:00+00', 'search', '/search?q=socks', NULL, NULL, NULL),
    ('s07', 3, '2024-03-07 10:02:00+00', 'view_product', '/p/8', NULL, NULL, 'abandoned'),
    ('s08', 1, '2024-03-07 11:00:00+00', 'view_product', '/p/8', 'ads', 'mobile', NULL),
    ('s08', 2, '2024-03-07 11:05:00+00', 'add_to_cart', '/p/8', NULL, NULL, 'price_shock'),
    ('s09', 1, '2024-03-05 15:00:00+00', 'view_product', '/p/9', NULL, 'desktop', NULL),
    ('s09', 2, '2024-03-05 15:01:00+00', 'add_to_cart', '/p/9', NULL, NULL, NULL),
    ('s09', 3, '2024-03-05 15:02:00+00', 'page_view', '/checkout', NULL, NULL, 'abandoned'),
    ('s10', 1, '2024-03-08 09:00:00+00', 'view_product', '/p/10', 'email', 'mobile', NULL),
    ('s11', 1, '2024-03-01 09:00:00+00', 'view_product', '/p/11', 'email', 'mobile', NULL),
    ('s11', 2, '2024-03-01 09:01:00+00', 'add_to_cart', '/p/11', NULL, NULL, NULL),
    ('s12', 1, '2024-03-01 10:00:00+00', 'view_product', '/p/12', 'ads', 'desktop', NULL),
    ('s12', 2, '2024-03-01 10:01:00+00', 'add_to_cart', '/p/12', NULL, NULL, NULL),
    ('s12', 3, '2024-03-01 10:02:00+00', 'page_view', '/checkout', NULL, NULL, NULL),
    ('s12', 4, '2024-03-01 10:03:00+00', 'error', '/checkout', NULL, NULL, NULL),
    ('c01', 1, '2024-03-04 13:00:00+00', 'view_product', '/p/1', 'email', 'desktop', NULL),
    ('c01', 2, '2024-03-04 13:01:00+00', 'add_to_cart', '/p/1', NULL, NULL, NULL),
    ('c01', 3, '2024-03-04 13:02:00+00', 'page_view', '/checkout', NULL, NULL, NULL),
    ('c01', 4, '2024-03-04 13:03:00+00', 'purchase', '/checkout/done', NULL, NULL, NULL),
    ('c02', 1, '2024-03-04 14:00:00+00', 'view_product', '/p/2', 'ads', 'mobile', NULL),
    ('c02', 2, '2024-03-04 14:01:00+00', 'add_to_cart', '/p/2', NULL, NULL, NULL),
    ('c02', 3, '2024-03-04 14:02:00+00', 'page_view', '/checkout', NULL, NULL, NULL),
    ('c02', 4, '2024-03-04 14:03:00+00', 'purchase', '/checkout/done', NULL, NULL, NULL),
    ('c02', 5, '2024-03-04 14:04:00+00', 'page_view', '/thanks', NULL, NULL, NULL),
    ('n01', 1, '2024-03-04 15:00:00+00', 'page_view', '/about', 'email', 'desktop', NULL)
) AS rows (session_id, step, ts, event, url, channel, device, label);

-- Sample 1 is older; sample 2 (s01-s10) is the active one.
INSERT INTO samples VALUES
    (1, 'last 2 exited sessions', '2024-03-09 08:00:00+00', 12, 1, 's11'),
    (1, 'last 2 exited sessions', '2024-03-09 08:00:00+00', 12, 2, 's12'),
    (2, 'last 10 exited sessions', '2024-03-11 09:00:00+00', 12, 1, 's01'),
    (2, 'last 10 exited sessions', '2024-03-11 09:00:00+00', 12, 2, 's02'),
    (2, 'last 10 exited sessions', '2024-03-11 09:00:00+00', 12, 3, 's03'),
    (2, 'last 10 exited sessions', '2024-03-11 09:00:00+00', 12, 4, 's04'),
    (2, 'last 10 exited sessions', '2024-03-11 09:00:00+00', 12, 5, 's05'),
    (2, 'last 10 exited sessions', '2024-03-11 09:00:00+00', 12, 6, 's06'),
    (2, 'last 10 exited sessions', '2024-03-11 09:00:00+00', 12, 7, 's07'),
    (2, 'last 10 exited sessions', '2024-03-11 09:00:00+00', 12, 8, 's08'),
    (2, 'last 10 exited sessions', '2024-03-11 09:00:00+00', 12, 9, 's09'),
    (2, 'last 10 exited sessions', '2024-03-11 09:00:00+00', 12, 10, 's10');

-- alice tags most of the sample; bob later retags s05 and tags s11, which is outside the sample.
-- s07 is skipped, s08 is tagged then cleared, s10 is tagged then undone, s04 gets a note edit.
INSERT INTO tag_log (session_id, auditor, action, reason, note, suggested_reason, accepted, tagged_at) VALUES
    ('s01', 'alice', 'tag', 'broken_code', NULL, 'broken_code', true, '2024-03-11 10:00:00+00'),
    ('s02', 'alice', 'tag', 'broken_code', NULL, 'price', false, '2024-03-11 10:00:30+00'),
    ('s03', 'alice', 'tag', 'broken_code', NULL, NULL, NULL, '2024-03-11 10:01:00+00'),
    ('s04', 'alice', 'tag', 'price', NULL, 'price', NULL, '2024-03-11 10:01:20+00'),
    ('s05', 'alice', 'tag', 'interruption', NULL, NULL, NULL, '2024-03-11 10:02:00+00'),
    ('s06', 'alice', 'tag', 'broken_code', NULL, NULL, NULL, '2024-03-11 10:02:30+00'),
    ('s08', 'alice', 'tag', 'price', NULL, NULL, NULL, '2024-03-11 10:03:00+00');
INSERT INTO tag_log (session_id, auditor, action, tagged_at) VALUES
    ('s08', 'alice', 'clear', '2024-03-11 10:03:10+00');
INSERT INTO tag_log (session_id, auditor, action, reason, tagged_at) VALUES
    ('s10', 'alice', 'tag', 'broken_code', '2024-03-11 10:03:30+00');
INSERT INTO tag_log (session_id, auditor, action, undoes, tagged_at)
SELECT 's10', 'alice', 'undo', id, '2024-03-11 10:03:40+00' FROM tag_log WHERE session_id = 's10';
INSERT INTO tag_log (session_id, auditor, action, tagged_at) VALUES
    ('s07', 'alice', 'skip', '2024-03-11 10:03:50+00');
INSERT INTO tag_log (session_id, auditor, action, reason, tagged_at) VALUES
    ('s09', 'alice', 'tag', 'confusing_copy', '2024-03-11 10:04:00+00');
INSERT INTO tag_log (session_id, auditor, action, note, tagged_at) VALUES
    ('s04', 'alice', 'note', 'saw the shipping cost', '2024-03-11 10:04:10+00');
INSERT INTO tag_log (session_id, auditor, action, reason, suggested_reason, accepted, tagged_at) VALUES
    ('s05', 'bob', 'tag', 'too_slow', 'broken_code', false, '2024-03-11 10:10:00+00');
INSERT INTO tag_log (session_id, auditor, action, reason, tagged_at) VALUES
    ('s11', 'bob', 'tag', 'price', '2024-03-11 10:20:00+00');
