"""`stripdown import` reads each export format, and the real exports, with the right counts."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import real_export
from tests.reliability_support import assert_imported, import_files, query, scalar

DATA = Path(__file__).resolve().parent / "data" / "import"


def imported(tmp_path: Path, *exports: Path, options: tuple[str, ...] = ()) -> tuple[Path, str]:
    """Import `exports` into a new workspace; return the workspace and the printed summary."""
    workspace = tmp_path / "review.duckdb"
    result = import_files(workspace, *exports, options=options)
    assert_imported(result)
    return workspace, result.stdout


def test_tab_separated_file(tmp_path: Path) -> None:
    workspace, summary = imported(tmp_path, DATA / "events.tsv")
    assert query(workspace, "SELECT event_id, session_id, url FROM events ORDER BY ts") == [
        ("t1", "tab-1", "/cart"),
        ("t2", "tab-1", "/checkout"),
    ]
    assert "(tsv)" in summary


def test_json_lines_keep_ids_and_nested_properties(tmp_path: Path) -> None:
    workspace, _ = imported(tmp_path, DATA / "events.jsonl")
    rows = query(
        workspace, "SELECT event_id, session_id, strftime(ts, '%H:%M:%S'), event FROM events ORDER BY ts"
    )
    assert rows == [
        ("j1", "90071992547409931", "10:00:00", "page_view"),
        ("j2", "90071992547409931", "10:01:00", "click"),
    ]
    cart = scalar(workspace, "SELECT properties::VARCHAR FROM events WHERE event_id = 'j1'")
    assert json.loads(cart) == {"cart": {"items": 2, "value": 59.9}}


def test_parquet_file(tmp_path: Path) -> None:
    export = tmp_path / "events.parquet"
    connection = duckdb.connect()
    connection.sql(
        """
        SELECT 'p' || i AS event_id, 12345678901234567 + i // 2 AS session_id,
               TIMESTAMPTZ '2024-03-05 10:00:00+00' + to_minutes(i) AS event_time,
               'page_view' AS event_name, '/cart' AS page_url, 200 + i AS http_status, i * 1.5 AS score
        FROM range(4) AS r(i)
        """
    ).write_parquet(str(export))
    connection.close()
    workspace, summary = imported(tmp_path, export)
    assert query(workspace, "SELECT session_id, count(*) FROM events GROUP BY 1 ORDER BY 1") == [
        ("12345678901234567", 2),
        ("12345678901234568", 2),
    ]
    assert scalar(workspace, "SELECT max(status) FROM events") == 203
    assert scalar(workspace, "SELECT properties->>'score' FROM events WHERE event_id = 'p3'") == "4.5"
    assert "(parquet)" in summary


def write_parquet(export: Path, extra_columns: str = "") -> None:
    """Write four events in file order p0..p3 whose times run backwards, so time order differs."""
    connection = duckdb.connect()
    connection.sql(
        f"""
        SELECT 'p' || i AS event_id, 's1' AS session_id,
               TIMESTAMPTZ '2024-03-05 10:00:00+00' - to_minutes(i) AS event_time,
               'page_view' AS event_name {extra_columns}
        FROM range(4) AS r(i)
        """
    ).write_parquet(str(export))
    connection.close()


def test_parquet_rows_numbered_in_file_order(tmp_path: Path) -> None:
    export = tmp_path / "events.parquet"
    write_parquet(export)
    workspace, _ = imported(tmp_path, export)
    assert query(workspace, "SELECT event_id, row_number FROM events ORDER BY ts") == [
        ("p3", 4),
        ("p2", 3),
        ("p1", 2),
        ("p0", 1),
    ]


def test_parquet_with_own_file_row_number_column(tmp_path: Path) -> None:
    export = tmp_path / "events.parquet"
    write_parquet(export, ", 100 - i AS file_row_number")
    workspace, _ = imported(tmp_path, export)
    assert query(workspace, "SELECT event_id, row_number FROM events ORDER BY ts") == [
        ("p3", 4),
        ("p2", 3),
        ("p1", 2),
        ("p0", 1),
    ]
    assert (
        scalar(workspace, "SELECT properties->>'file_row_number' FROM events WHERE event_id = 'p0'") == "100"
    )


def test_gzip_compressed_csv_detected_by_content(tmp_path: Path) -> None:
    export = tmp_path / "events.csv.gz"
    export.write_bytes(gzip.compress((DATA / "camel_case_names.csv").read_bytes(), mtime=0))
    renamed = tmp_path / "export-without-extension"
    shutil.copyfile(export, renamed)
    workspace, _ = imported(tmp_path, renamed)
    assert scalar(workspace, "SELECT count(*) FROM events") == 2


def test_big_endian_utf16_transcoded(tmp_path: Path) -> None:
    export = tmp_path / "utf16be.csv"
    text = "event_id,session_id,ts,message\nb1,be-1,2024-03-05T10:00:00Z,Größe\n"
    export.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    workspace, summary = imported(tmp_path, export)
    assert scalar(workspace, "SELECT message FROM events") == "Größe"
    assert "utf-16-be" in summary


def test_latin1_after_the_sampled_start(tmp_path: Path) -> None:
    export = tmp_path / "late_latin1.csv"
    rows = [f"e{i},late-1,2024-03-05T10:00:00Z,plain" for i in range(3000)]
    body = "event_id,session_id,ts,message\n" + "\n".join(rows) + "\n"
    export.write_bytes(body.encode("utf-8") + "z,late-1,2024-03-05T10:00:01Z,café\n".encode("latin-1"))
    workspace, summary = imported(tmp_path, export)
    assert scalar(workspace, "SELECT message FROM events WHERE event_id = 'z'") == "café"
    assert "latin-1" in summary


def test_access_log_pages_assets_and_sessions(tmp_path: Path) -> None:
    workspace, summary = imported(tmp_path, DATA / "access_sample.log")
    rows = query(
        workspace,
        """
        SELECT user_id, strftime(ts, '%H:%M:%S'), event, url, status, channel, device
        FROM events ORDER BY ts, row_number
        """,
    )
    assert rows == [
        ("alice", "08:06:00", "page_view", "/login", 500, "direct", "desktop"),
        ("10.0.0.1", "10:05:03", "page_view", "/blog/post", 200, "www.google.com", "desktop"),
        ("10.0.0.1", "10:05:04", "asset", "/static/site.css", 200, "example.org", "desktop"),
        ("10.0.0.1", "10:05:04", "asset", "/images/Logo.PNG?v=2", 304, "example.org", "desktop"),
        ("10.0.0.1", "10:07:00", "page_view", "/missing", 404, "direct", "mobile"),
        ("10.0.0.1", "11:05:05", "page_view", "/blog/post", 200, "direct", "desktop"),
    ]
    # Firefox on 10.0.0.1 is idle for an hour before 11:05:05, the iPhone on the same address is
    # another visitor, and alice is a third: four sessions.
    assert scalar(workspace, "SELECT count(*) FROM sessions") == 4
    # The first Firefox session ends on two assets; its exit is the page that loaded them.
    assert query(
        workspace,
        "SELECT landing_url, exit_url FROM sessions WHERE started_at < TIMESTAMPTZ '2015-05-17 10:06:00+00' AND user_id = '10.0.0.1'",
    ) == [("/blog/post", "/blog/post")]
    properties = json.loads(scalar(workspace, "SELECT properties::VARCHAR FROM events WHERE url = '/login'"))
    assert properties["method"] == "POST"
    assert properties["bytes"] == 0
    assert "(access-log)" in summary


@pytest.mark.real_exports
def test_snowplow_real_export(tmp_path: Path) -> None:
    # Counted once with Python's csv module over the file: 160 rows; 157 distinct event_id; three ids
    # occur twice, two of them with the same collector_tstamp, event_name, page_url and session
    # (duplicates) and one with another collector_tstamp (a collision); 46 distinct non-empty
    # domain_sessionid plus one row without one, cut into a session of its own by domain_userid.
    export = real_export("snowplow-web-events", "snowplow_web_events.csv")
    workspace, summary = imported(tmp_path, export)
    assert query(workspace, "SELECT rows_read, events_kept, duplicates, collisions, format FROM imports") == [
        (160, 158, 2, 1, "snowplow")
    ]
    assert scalar(workspace, "SELECT count(*) FROM events") == 158
    assert scalar(workspace, "SELECT count(*) FROM events WHERE collision") == 2
    assert scalar(workspace, "SELECT count(*) FROM sessions") == 47
    assert scalar(workspace, "SELECT count(*) FROM events WHERE session_id LIKE '%@%'") == 1
    robots = scalar(
        workspace,
        "SELECT count(*) FROM events "
        "WHERE json_exists(properties, '$.contexts_com_iab_snowplow_spiders_and_robots_1_0_0')",
    )
    assert robots > 0
    assert 'session_id <- "domain_sessionid" (Snowplow preset)' in summary


@pytest.mark.real_exports
def test_apache_access_log_real_export(tmp_path: Path) -> None:
    # Counted once with a Python script: re.match of the combined format on each of the 10,000
    # lines (line 8899's user agent has no closing quote, and is kept), sessions per (client, user
    # agent) cut at gaps over 30 minutes gave 3,224; paths ending in an asset extension: 5,406.
    export = real_export("apache-access-log", "apache_logs")
    workspace, summary = imported(tmp_path, export)
    assert scalar(workspace, "SELECT count(*) FROM events") == 10_000
    assert scalar(workspace, "SELECT count(*) FROM sessions") == 3_224
    assert query(workspace, "SELECT event, count(*) FROM events GROUP BY 1 ORDER BY 1") == [
        ("asset", 5_406),
        ("page_view", 4_594),
    ]
    assert query(workspace, "SELECT status, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC LIMIT 3") == [
        (200, 9_126),
        (304, 445),
        (404, 213),
    ]
    assert "sessions: 3,224" in summary


@pytest.mark.real_exports
def test_diginetica_semicolon_export(tmp_path: Path) -> None:
    # 12,391 data rows and 2,986 distinct session_id, as counted with Python's csv module.
    export = real_export("diginetica-sample", "sample_train-item-views.csv")
    workspace, _ = imported(tmp_path, export)
    assert scalar(workspace, "SELECT count(*) FROM events") == 12_391
    assert scalar(workspace, "SELECT count(*) FROM sessions") == 2_986
    # Session 1's first row: eventdate 2016-05-09 plus timeframe 526309 ms.
    first = (
        "SELECT strftime(ts, '%Y-%m-%d %H:%M:%S.%g') FROM events WHERE session_id = '1' AND target = '81766'"
    )
    assert scalar(workspace, first) == "2016-05-09 00:08:46.309"


@pytest.mark.real_exports
def test_matomo_utf16_csv_and_xml(tmp_path: Path) -> None:
    export = real_export("matomo-visitlog", "csvExport_Live.getLastVisitsDetails_day.utf16le.csv")
    workspace, _ = imported(tmp_path, export)
    assert query(workspace, "SELECT session_id, strftime(ts, '%H:%M:%S') FROM events ORDER BY ts") == [
        ("1", "11:22:33"),
        ("2", "11:52:33"),
    ]
    xml = real_export("matomo-visitlog", "ecommerce_Live.getLastVisitsDetails_day.xml")
    result = import_files(tmp_path / "xml.duckdb", xml)
    assert result.returncode == 1
    assert "XML is not supported; export CSV" in result.stderr
    assert not (tmp_path / "xml.duckdb").exists()
