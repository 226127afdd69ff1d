-- A small reviewed workspace with fixed times: six exited sessions in one sample of six.
-- s-001 ends in an HTTP 500 (with an error signal), s-002 has a 25-minute idle gap,
-- s-003 retries a form, s-004 hits a 404, s-005 is long (60 events), s-006 is plain.

INSERT INTO config VALUES (TIMESTAMPTZ '2024-03-05 08:00:00+00', '
[funnel]
stages = [
  { name = "cart", url = "/cart*" },
  { name = "checkout", url = "/checkout*" },
  { name = "paid", event = "purchase" },
]

[label]
column = "exit_reason"

[label.map]
payment_error = "broken_code"
price_shock = "price"
');

INSERT INTO events (event_id, session_id, user_id, ts, event, url, target, status, message,
                    channel, device, label, source_file, import_id, row_number, content_hash)
VALUES
  ('e101', 's-001', 'u-1', TIMESTAMPTZ '2024-03-05 10:00:00+00', 'page_view', '/home', NULL, 200, NULL, 'paid_search', 'mobile', NULL, 'fixture.csv', 1, 1, 1),
  ('e102', 's-001', 'u-1', TIMESTAMPTZ '2024-03-05 10:00:40+00', 'page_view', '/cart', NULL, 200, NULL, 'paid_search', 'mobile', NULL, 'fixture.csv', 1, 2, 2),
  ('e103', 's-001', 'u-1', TIMESTAMPTZ '2024-03-05 10:01:10+00', 'click', '/cart', '#checkout', NULL, NULL, 'paid_search', 'mobile', NULL, 'fixture.csv', 1, 3, 3),
  ('e104', 's-001', 'u-1', TIMESTAMPTZ '2024-03-05 10:01:12+00', 'page_view', '/checkout', NULL, 200, NULL, 'paid_search', 'mobile', NULL, 'fixture.csv', 1, 4, 4),
  ('e105', 's-001', 'u-1', TIMESTAMPTZ '2024-03-05 10:02:30+00', 'form_submit', '/checkout/pay', 'form#pay', NULL, NULL, 'paid_search', 'mobile', NULL, 'fixture.csv', 1, 5, 5),
  ('e106', 's-001', 'u-1', TIMESTAMPTZ '2024-03-05 10:02:31+00', 'request', '/api/pay', NULL, 500, 'Internal Server Error', 'paid_search', 'mobile', 'payment_error', 'fixture.csv', 1, 6, 6),
  ('e107', 's-001', 'u-1', TIMESTAMPTZ '2024-03-05 10:02:32+00', 'js_error', '/checkout/pay', NULL, NULL, 'TypeError: cannot read property total', 'paid_search', 'mobile', NULL, 'fixture.csv', 1, 7, 7),
  ('e108', 's-001', 'u-1', TIMESTAMPTZ '2024-03-05 10:03:12+00', 'page_view', '/checkout/pay', NULL, 200, NULL, 'paid_search', 'mobile', NULL, 'fixture.csv', 1, 8, 8),

  ('e201', 's-002', 'u-2', TIMESTAMPTZ '2024-03-05 11:00:00+00', 'page_view', '/cart', NULL, 200, NULL, 'email', 'desktop', NULL, 'fixture.csv', 1, 9, 9),
  ('e202', 's-002', 'u-2', TIMESTAMPTZ '2024-03-05 11:01:00+00', 'page_view', '/checkout', NULL, 200, NULL, 'email', 'desktop', NULL, 'fixture.csv', 1, 10, 10),
  ('e203', 's-002', 'u-2', TIMESTAMPTZ '2024-03-05 11:26:00+00', 'page_view', '/checkout/shipping', NULL, 200, NULL, 'email', 'desktop', NULL, 'fixture.csv', 1, 11, 11),

  ('e301', 's-003', 'u-3', TIMESTAMPTZ '2024-03-05 12:00:00+00', 'page_view', '/checkout', NULL, 200, NULL, 'organic', 'tablet', NULL, 'fixture.csv', 1, 12, 12),
  ('e302', 's-003', 'u-3', TIMESTAMPTZ '2024-03-05 12:00:30+00', 'form_submit', '/checkout/address', 'form#address', 422, 'Postcode is invalid', 'organic', 'tablet', NULL, 'fixture.csv', 1, 13, 13),
  ('e303', 's-003', 'u-3', TIMESTAMPTZ '2024-03-05 12:00:50+00', 'form_submit', '/checkout/address', 'form#address', 422, 'Postcode is invalid', 'organic', 'tablet', 'price_shock', 'fixture.csv', 1, 14, 14),

  ('e401', 's-004', 'u-4', TIMESTAMPTZ '2024-03-05 13:00:00+00', 'page_view', '/cart', NULL, 200, NULL, 'referral', 'mobile', NULL, 'fixture.csv', 1, 15, 15),
  ('e402', 's-004', 'u-4', TIMESTAMPTZ '2024-03-05 13:00:20+00', 'page_view', '/cart/promo-terms', NULL, 404, 'Not Found', 'referral', 'mobile', NULL, 'fixture.csv', 1, 16, 16),

  ('e601', 's-006', 'u-6', TIMESTAMPTZ '2024-03-05 15:00:00+00', 'page_view', '/cart', NULL, 200, NULL, 'direct', 'desktop', NULL, 'fixture.csv', 1, 17, 17),
  ('e602', 's-006', 'u-6', TIMESTAMPTZ '2024-03-05 15:00:09+00', 'page_view', '/checkout', NULL, 200, NULL, 'direct', 'desktop', NULL, 'fixture.csv', 1, 18, 18);

-- s-005: sixty page views, one every 15 seconds, ending on the checkout page.
INSERT INTO events (event_id, session_id, user_id, ts, event, url, status, channel, device,
                    source_file, import_id, row_number, content_hash)
SELECT
    'e5' || lpad(i::VARCHAR, 2, '0'),
    's-005',
    'u-5',
    TIMESTAMPTZ '2024-03-05 14:00:00+00' + to_seconds(15 * (i - 1)),
    'page_view',
    CASE WHEN i = 60 THEN '/checkout' WHEN i % 2 = 0 THEN '/cart' ELSE '/product/' || i END,
    200,
    'organic',
    'desktop',
    'fixture.csv',
    1,
    100 + i,
    100 + i
FROM range(1, 61) AS t(i);

INSERT INTO sessions (session_id, user_id, started_at, ended_at, events, channel, device, landing_url, exit_url,
                      last_event, furthest_stage, furthest_stage_index, entered, converted, exited,
                      exit_stage, label) VALUES
  ('s-001', 'u-1', TIMESTAMPTZ '2024-03-05 10:00:00+00', TIMESTAMPTZ '2024-03-05 10:03:12+00', 8, 'paid_search', 'mobile', '/home', '/checkout/pay', 'page_view', 'checkout', 1, true, false, true, 'checkout', 'payment_error'),
  ('s-002', 'u-2', TIMESTAMPTZ '2024-03-05 11:00:00+00', TIMESTAMPTZ '2024-03-05 11:26:00+00', 3, 'email', 'desktop', '/cart', '/checkout/shipping', 'page_view', 'checkout', 1, true, false, true, 'checkout', 'exited at checkout'),
  ('s-003', 'u-3', TIMESTAMPTZ '2024-03-05 12:00:00+00', TIMESTAMPTZ '2024-03-05 12:00:50+00', 3, 'organic', 'tablet', '/checkout', '/checkout/address', 'form_submit', 'checkout', 1, true, false, true, 'checkout', 'price_shock'),
  ('s-004', 'u-4', TIMESTAMPTZ '2024-03-05 13:00:00+00', TIMESTAMPTZ '2024-03-05 13:00:20+00', 2, 'referral', 'mobile', '/cart', '/cart/promo-terms', 'page_view', 'cart', 0, true, false, true, 'cart', 'exited at cart'),
  ('s-005', 'u-5', TIMESTAMPTZ '2024-03-05 14:00:00+00', TIMESTAMPTZ '2024-03-05 14:14:45+00', 60, 'organic', 'desktop', '/product/1', '/checkout', 'page_view', 'checkout', 1, true, false, true, 'checkout', 'exited at checkout'),
  ('s-006', 'u-6', TIMESTAMPTZ '2024-03-05 15:00:00+00', TIMESTAMPTZ '2024-03-05 15:00:09+00', 2, 'direct', 'desktop', '/cart', '/checkout', 'page_view', 'checkout', 1, true, false, true, 'checkout', 'exited at checkout');

INSERT INTO samples
SELECT 1, 'last 500 exited', TIMESTAMPTZ '2024-03-05 16:00:00+00', 6, position, session_id
FROM (VALUES (1, 's-001'), (2, 's-002'), (3, 's-003'), (4, 's-004'), (5, 's-005'), (6, 's-006'))
    AS t(position, session_id);

INSERT INTO signals VALUES
  (1, 's-001', 'error', 'broken_code', 1, ['e106', 'e107'], 'HTTP 500 on /api/pay, then a TypeError'),
  (1, 's-002', 'idle', 'interruption', 2, ['e203'], 'idle 25m 00s before the last event'),
  (1, 's-003', 'form_retry', 'form_rejected_input', 1, ['e302', 'e303'], 'form#address submitted 2 times: Postcode is invalid'),
  (1, 's-004', 'not_found', 'dead_link', 1, ['e402'], 'HTTP 404 on /cart/promo-terms');
