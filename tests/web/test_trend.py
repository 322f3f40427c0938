"""The badge and the trend page over real HTTP and a real Redis: what they show, and what they never reveal."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx

from app.report.history import DOMAIN_NAMES, HistoryEntry
from app.report.trend_html import axis_floor
from app.store.history import forget_repository, read_history, record_commit, set_privacy
from app.store.keys import history_key, history_scores_key, repo_key, repo_name_key
from tests.web.conftest import Receiver
from tests.web.trend_data import entry, record, seed, sha

SVG = "{http://www.w3.org/2000/svg}"


def badge_texts(response: httpx.Response) -> list[str]:
    """Parse a badge as XML and return its texts."""
    root = ET.fromstring(response.content)  # noqa: S314 - our own badge, the thing under test
    assert root.tag == f"{SVG}svg"
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def test_badge_parses_and_shows_the_overall_score(receiver: Receiver) -> None:
    [*_, latest] = seed(receiver.redis, 31, "octo/demo", 3)
    response = receiver.client.get("/badge/octo/demo.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "max-age=300" in response.headers["cache-control"]
    assert f"{latest.overall:.1f}/100" in badge_texts(response) and "verity" in badge_texts(response)


def test_badge_of_one_domain_and_of_a_domain_without_a_score(receiver: Receiver) -> None:
    [latest] = seed(receiver.redis, 32, "octo/demo", 1)
    security = receiver.client.get("/badge/octo/demo.svg", params={"domain": "security"})
    assert security.status_code == 200
    assert f"{latest.score('security'):.1f}/100" in badge_texts(security) and "verity security" in badge_texts(security)
    assert "n/a" in badge_texts(receiver.client.get("/badge/octo/demo.svg", params={"domain": "infrastructure"}))
    assert receiver.client.get("/badge/octo/demo.svg", params={"domain": "nonsense"}).status_code == 404


def test_names_match_in_any_case_as_on_github(receiver: Receiver) -> None:
    seed(receiver.redis, 33, "Octo/Demo", 1)
    assert receiver.client.get("/badge/octo/demo.svg").status_code == 200
    assert receiver.client.get("/repos/OCTO/DEMO").status_code == 200


def comparable(response: httpx.Response) -> tuple[int, bytes, list[tuple[str, str]]]:
    """Return a response's status, body and headers, less the date."""
    return response.status_code, response.content, sorted((k, v) for k, v in response.headers.items() if k != "date")


def test_private_repository_answers_exactly_like_an_unknown_one(receiver: Receiver) -> None:
    seed(receiver.redis, 34, "octo/secret", 2, private=True)
    for path in ("/badge/{}.svg", "/repos/{}", "/badge/{}.svg?domain=security"):
        private = receiver.client.get(path.format("octo/secret"))
        unknown = receiver.client.get(path.format("octo/never-audited"))
        malformed = receiver.client.get(path.format("-octo/x"))
        assert private.status_code == 404
        assert comparable(private) == comparable(unknown) == comparable(malformed)
        assert b"octo" not in private.content


def test_private_repository_opted_in_is_served(receiver: Receiver) -> None:
    seed(receiver.redis, 35, "octo/open-secret", 2, private=True, opt_in=True)
    assert receiver.client.get("/badge/octo/open-secret.svg").status_code == 200
    assert receiver.client.get("/repos/octo/open-secret").status_code == 200


def test_a_stale_name_after_a_rename_is_not_served(receiver: Receiver) -> None:
    seed(receiver.redis, 36, "octo/old-name", 1)
    seed(receiver.redis, 36, "octo/new-name", 1)
    assert receiver.client.get("/badge/octo/new-name.svg").status_code == 200
    assert receiver.client.get("/badge/octo/old-name.svg").status_code == 404


def test_trend_page_holds_the_chart_the_latest_table_and_commit_links(receiver: Receiver) -> None:
    entries = seed(receiver.redis, 37, "octo/demo", 12)
    response = receiver.client.get("/repos/octo/demo")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "max-age=300" in response.headers["cache-control"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    page = response.text
    assert page.count("<svg") == 1 and 'id="line-overall"' in page
    assert all(f'id="line-{name}"' in page for name in DOMAIN_NAMES)
    assert page.count("<polyline") >= len(DOMAIN_NAMES)  # infrastructure is n/a: no line
    assert f"https://github.com/octo/demo/commit/{entries[-1].sha}" in page
    assert f"https://github.com/octo/demo/commit/{entries[0].sha}" in page
    assert '<section id="latest">' in page and page.count("<tr><td>") >= len(DOMAIN_NAMES)
    assert "src=" not in page and "<script" not in page and "<link" not in page  # self-contained


def test_everything_recorded_from_the_repository_is_escaped(receiver: Receiver) -> None:
    seed(receiver.redis, 38, "octo/demo", 2, html_url="javascript:alert(1)//", branch="<script>alert(1)</script>")
    page = receiver.client.get("/repos/octo/demo").text
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "javascript:" not in page and "/commit/" not in page  # a URL that is not a web page gets no link


def test_history_keeps_the_newest_commits_and_a_late_older_one_never_becomes_latest(receiver: Receiver) -> None:
    for i in range(5):
        record_commit(receiver.redis, record(39, "octo/demo", entry(i)), limit=3)
    assert [e.sha for e in read_history(receiver.redis, 39)] == [entry(i).sha for i in (2, 3, 4)]
    assert receiver.redis.hlen(history_scores_key(39)) == 3
    assert not record_commit(receiver.redis, record(39, "octo/demo", entry(1)), limit=4)
    assert len(read_history(receiver.redis, 39)) == 4
    assert b'"sha":"' + entry(4).sha.encode() in (receiver.redis.get(repo_key(39)) or b"")


def test_losing_access_forgets_the_repository(receiver: Receiver) -> None:
    seed(receiver.redis, 40, "octo/demo", 2)
    forget_repository(receiver.redis, 40)
    keys = (history_key(40), history_scores_key(40), repo_key(40), repo_name_key("octo/demo"))
    assert receiver.redis.exists(*keys) == 0
    assert receiver.client.get("/badge/octo/demo.svg").status_code == 404


def test_a_kept_page_never_outlives_privacy_and_a_new_commit_shows_at_once(receiver: Receiver) -> None:
    [*_, latest] = seed(receiver.redis, 41, "octo/demo", 3)
    assert receiver.client.get("/repos/octo/demo").status_code == 200  # drawn and kept
    newer = entry(3, "octo/demo")
    record_commit(receiver.redis, record(41, "octo/demo", newer))
    assert newer.sha in receiver.client.get("/repos/octo/demo").text
    record_commit(receiver.redis, record(41, "octo/demo", newer, private=True))  # the repository went private
    assert receiver.client.get("/repos/octo/demo").status_code == 404
    assert receiver.client.get("/badge/octo/demo.svg").status_code == 404
    assert latest.sha != newer.sha


def test_the_chart_axis_starts_low_enough_for_every_score_and_says_where() -> None:
    high = [HistoryEntry(sha(i), i, 0, 99.0, (97.6,) + (None,) * 9) for i in range(3)]
    assert axis_floor(high) == 80  # never a band narrower than 20 points
    assert axis_floor([entry(i) for i in range(5)]) == 50  # the sample's lowest score is 60
    assert axis_floor([HistoryEntry(sha(0), 1, 0, None, (None,) * 10)]) == 0
    assert axis_floor([HistoryEntry(sha(0), 1, 0, 1.0, (0.5,) + (None,) * 9)]) == 0


def test_a_repository_made_private_stops_being_shown_at_once(receiver: Receiver) -> None:
    seed(receiver.redis, 42, "octo/demo", 2)
    assert set_privacy(receiver.redis, 42, True)
    assert receiver.client.get("/badge/octo/demo.svg").status_code == 404
    assert set_privacy(receiver.redis, 42, False)
    assert receiver.client.get("/badge/octo/demo.svg").status_code == 200
    assert not set_privacy(receiver.redis, 43, True)  # never audited: nothing to record
