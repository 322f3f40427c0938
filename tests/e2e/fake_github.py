"""A fake GitHub API on loopback: App tokens, pulls, check runs, reviews, review comments, GraphQL.

It checks the App's JWT against the public key and every token it issued, validates every request
body against GitHub's REST description, records every request, and can be told to fail or stall.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

from tests.e2e.openapi import OpenAPI, load_openapi

Answer = tuple[int, Any, dict[str, str]]


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    at: float
    status: int = 0
    connection: str = ""  # the client's address and port: one per TCP connection


@dataclass
class Fault:
    """An answer to give instead of the real one, to the next `times` matching requests."""

    method: str
    path: re.Pattern[str]
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    times: int = 1
    when: Callable[[Any], bool] | None = None  # only requests whose JSON body passes this


@dataclass
class Hold:
    """Stall matching requests until released (to kill a worker mid-request)."""

    method: str
    path: re.Pattern[str]
    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    times: int = 1
    drop: bool = False  # on release, answer 502 without acting: the request never reached GitHub


@dataclass
class Pull:
    """A pull request's current head and base."""

    head_sha: str
    base_ref: str
    base_sha: str = ""
    author: str = "octocat"


class FakeGitHub:
    """The state and behaviour of the fake API."""

    def __init__(self, app_id: str, public_key: str, spec: OpenAPI | None = None) -> None:
        self.app_id = app_id
        self.public_key = public_key
        self.spec = spec or load_openapi()
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Forget every request, fault and object."""
        with self.lock:
            self.requests: list[Recorded] = []
            self.errors: list[str] = []
            self.faults: list[Fault] = []
            self.holds: list[Hold] = []
            self.tokens: dict[str, int] = {}
            self.pulls: dict[tuple[str, int], Pull] = {}
            self.check_runs: dict[int, dict[str, Any]] = {}
            self.reviews: list[dict[str, Any]] = []
            self.review_comments: list[dict[str, Any]] = []
            self.threads: dict[str, dict[str, Any]] = {}
            self.issue_comments: dict[int, dict[str, Any]] = {}
            self.diff_lines: dict[tuple[str, int], dict[str, set[int]]] = {}
            self.permissions: dict[tuple[str, str], str] = {}  # (repo, login) -> role name
            self.reactions: list[dict[str, Any]] = []
            self.replies: list[dict[str, Any]] = []
            self._ids = itertools.count(1000)

    # -- test controls -----------------------------------------------------------------------------

    def fail(self, method: str, path: str, status: int, headers: dict[str, str] | None = None,
             times: int = 1, body: Any = None, when: Callable[[Any], bool] | None = None) -> None:
        """Answer the next matching requests with an error."""
        with self.lock:
            self.faults.append(Fault(method, re.compile(path), status, headers or {}, body, times, when))

    def hold(self, method: str, path: str, drop: bool = False) -> Hold:
        """Stall the next matching request until the returned hold is released (then dropped, if asked)."""
        held = Hold(method, re.compile(path), drop=drop)
        with self.lock:
            self.holds.append(held)
        return held

    def calls(self, method: str, path: str) -> list[Recorded]:
        """Return the recorded requests matching a method and a path regex."""
        pattern = re.compile(path)
        with self.lock:
            return [r for r in self.requests if r.method == method and pattern.search(r.path)]

    def runs_for(self, head_sha: str) -> list[dict[str, Any]]:
        """Return the check runs created on a head SHA."""
        with self.lock:
            return [r for r in self.check_runs.values() if r["head_sha"] == head_sha]

    # -- request handling --------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Answer:
        """Answer one request: authenticate, validate, apply faults, then route."""
        parts = urlsplit(target)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        body = json.loads(raw) if raw else None
        record = Recorded(method, path, query, body, time.monotonic(), connection=headers.get(PEER_HEADER, ""))
        with self.lock:
            self.requests.append(record)
        answer = self._answer(method, path, query, headers, body)
        record.status = answer[0]
        return answer

    def _answer(self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any) -> Answer:
        """Return the answer to an authenticated, valid request (or the error that stops it)."""
        problem = self._authenticate(path, headers.get("authorization", ""))
        if problem:
            return 401, {"message": problem}, {}
        if path != "/graphql":
            invalid = self.spec.validate(method, path, body)
            if invalid:
                with self.lock:
                    self.errors += invalid
                return 422, {"message": "Invalid request", "errors": invalid}, {}
        if self._stall(method, path):
            return 502, {"message": "dropped"}, {}
        fault = self._fault(method, path, body)
        if fault is not None:
            return fault.status, fault.body or {"message": "fault"}, fault.headers
        with self.lock:
            return self._route(method, path, query, body)

    def _authenticate(self, path: str, auth: str) -> str:
        """Return why a request is not authorised, or "" when it is."""
        scheme, _, credential = auth.partition(" ")
        if path.startswith("/app/"):
            if scheme.lower() != "bearer":
                return "JWT required"
            try:
                claims = jwt.decode(credential, self.public_key, algorithms=["RS256"], options={"require": ["exp", "iat", "iss"]})
            except jwt.PyJWTError as exc:
                return f"bad JWT: {exc}"
            return "" if str(claims["iss"]) == self.app_id else "wrong issuer"
        if scheme.lower() not in ("token", "bearer") or credential not in self.tokens:
            return "installation token required"
        return ""

    def _stall(self, method: str, path: str) -> bool:
        """Block while a hold matches this request; return whether the hold drops it."""
        with self.lock:
            held = next((h for h in self.holds if h.times and h.method == method and h.path.search(path)), None)
            if held:
                held.times -= 1
        if held:
            held.reached.set()
            held.release.wait(30)
            return held.drop
        return False

    def _fault(self, method: str, path: str, body: Any) -> Fault | None:
        """Return and consume the fault matching this request, if any."""
        with self.lock:
            for fault in self.faults:
                matches = fault.method == method and fault.path.search(path)
                if fault.times and matches and (fault.when is None or fault.when(body)):
                    fault.times -= 1
                    return fault
        return None

    def _route(self, method: str, path: str, query: dict[str, str], body: Any) -> Answer:
        """Dispatch to the endpoint handler."""
        for verb, pattern, handler in ROUTES:
            match = pattern.fullmatch(path)
            if verb == method and match:
                answer: Answer = handler(self, query, body, *match.groups())
                return answer
        return 404, {"message": "Not Found"}, {}

    # -- endpoints ---------------------------------------------------------------------------------

    def access_token(self, query: dict[str, str], body: Any, installation: str) -> Answer:
        token = "ghs_" + secrets.token_hex(18)
        self.tokens[token] = int(installation)
        expires = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return 201, {"token": token, "expires_at": expires, "permissions": {"checks": "write"},
                     "repository_selection": "all"}, {}

    def get_pull(self, query: dict[str, str], body: Any, repo: str, number: str) -> Answer:
        pull = self.pulls.get((repo, int(number)))
        if pull is None:
            return 404, {"message": "Not Found"}, {}
        return 200, {"number": int(number), "state": "open", "head": {"sha": pull.head_sha},
                     "base": {"ref": pull.base_ref, "sha": pull.base_sha},
                     "user": {"login": pull.author, "type": "User"}}, {}

    def create_check_run(self, query: dict[str, str], body: Any, repo: str) -> Answer:
        run_id = next(self._ids)
        run = {"id": run_id, "repo": repo, "name": body["name"], "head_sha": body["head_sha"],
               "status": body.get("status", "queued"), "conclusion": body.get("conclusion"),
               "output": dict(body.get("output") or {}), "annotations": [], "actions": [],
               "history": [body.get("status", "queued")], "external_id": body.get("external_id")}
        self.check_runs[run_id] = run
        return 201, _public_run(run), {}

    def update_check_run(self, query: dict[str, str], body: Any, repo: str, run_id: str) -> Answer:
        run = self.check_runs.get(int(run_id))
        if run is None:
            return 404, {"message": "Not Found"}, {}
        if "conclusion" in body:
            run["status"], run["conclusion"] = "completed", body["conclusion"]
        elif "status" in body:
            run["status"] = body["status"]
        if "conclusion" in body or "status" in body:  # the lifecycle: output batches and stamps leave it be
            run["history"].append(run["status"])
        output = dict(body.get("output") or {})
        run["annotations"] += output.pop("annotations", [])
        run["output"].update(output)
        run["actions"] = body.get("actions", run["actions"])
        run["external_id"] = body.get("external_id", run["external_id"])
        run.setdefault("patches", []).append(body)
        return 200, _public_run(run), {}

    def list_check_runs(self, query: dict[str, str], body: Any, repo: str, ref: str) -> Answer:
        runs = [_public_run(r) for r in self.check_runs.values()
                if r["repo"] == repo and r["head_sha"] == ref and r["name"] == query.get("check_name", r["name"])]
        runs.sort(key=lambda r: -int(r["id"]))
        return 200, {"total_count": len(runs), "check_runs": runs}, {}

    def list_reviews(self, query: dict[str, str], body: Any, repo: str, number: str) -> Answer:
        found = [r for r in self.reviews if r["repo"] == repo and r["number"] == int(number)]
        return 200, _page(found, query), {}

    def create_review(self, query: dict[str, str], body: Any, repo: str, number: str) -> Answer:
        lines = self.diff_lines.get((repo, int(number)))
        for comment in body.get("comments", []):
            if lines is not None and comment["line"] not in lines.get(comment["path"], set()):
                return 422, {"message": "Unprocessable Entity",
                             "errors": [f"line {comment['line']} of {comment['path']} is not in the diff"]}, {}
        review = {"id": next(self._ids), "repo": repo, "number": int(number), "body": body.get("body", ""),
                  "commit_id": body.get("commit_id"), "state": "COMMENTED", "event": body.get("event")}
        self.reviews.append(review)
        for comment in body.get("comments", []):
            thread = f"PRRT_{next(self._ids)}"
            stored = {"id": next(self._ids), "repo": repo, "number": int(number), "path": comment["path"],
                      "line": comment["line"], "body": comment["body"], "thread": thread,
                      "pull_request_review_id": review["id"], "commit_id": body.get("commit_id")}
            self.review_comments.append(stored)
            self.threads[thread] = {"id": thread, "isResolved": False, "comment": stored["id"]}
        return 200, review, {}

    def list_review_comments(self, query: dict[str, str], body: Any, repo: str, number: str) -> Answer:
        found = [c for c in self.review_comments if c["repo"] == repo and c["number"] == int(number)]
        return 200, _page(found, query), {}

    def get_issue_comment(self, query: dict[str, str], body: Any, repo: str, comment_id: str) -> Answer:
        comment = self.issue_comments.get(int(comment_id))
        return (200, comment, {}) if comment else (404, {"message": "Not Found"}, {})

    def create_reaction(self, query: dict[str, str], body: Any, repo: str, comment_id: str) -> Answer:
        if int(comment_id) not in self.issue_comments:
            return 404, {"message": "Not Found"}, {}
        reaction = {"id": next(self._ids), "repo": repo, "comment_id": int(comment_id), "content": body["content"]}
        self.reactions.append(reaction)
        return 201, {"id": reaction["id"], "content": body["content"]}, {}

    def create_issue_comment(self, query: dict[str, str], body: Any, repo: str, number: str) -> Answer:
        reply = {"id": next(self._ids), "repo": repo, "number": int(number), "body": body["body"]}
        self.replies.append(reply)
        return 201, {"id": reply["id"], "body": body["body"], "user": {"login": "verity[bot]", "type": "Bot"}}, {}

    def get_permission(self, query: dict[str, str], body: Any, repo: str, login: str) -> Answer:
        role = self.permissions.get((repo, login))
        if role is None:
            return 404, {"message": f"{login} is not a user"}, {}
        legacy = {"maintain": "write", "triage": "read"}.get(role, role)
        return 200, {"permission": legacy, "role_name": role, "user": {"login": login, "type": "User"}}, {}

    def graphql(self, query: dict[str, str], body: Any) -> Answer:
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            self.errors.append("graphql: body must carry a query string")
            return 400, {"message": "Problems parsing JSON"}, {}
        variables = body.get("variables") or {}
        if "resolveReviewThread" in body["query"]:
            thread = self.threads.get(str(variables.get("id")))
            if thread is None:
                return 200, {"data": None, "errors": [{"type": "NOT_FOUND", "message": "no thread"}]}, {}
            thread["isResolved"] = True
            return 200, {"data": {"resolveReviewThread": {"thread": {"id": thread["id"], "isResolved": True}}}}, {}
        if "reviewThreads" in body["query"]:
            return 200, {"data": self._threads(variables)}, {}
        self.errors.append("graphql: unknown query")
        return 200, {"data": None, "errors": [{"message": "unknown query"}]}, {}

    def _threads(self, variables: dict[str, Any]) -> dict[str, Any]:
        repo = f"{variables['owner']}/{variables['name']}"
        by_id = {c["id"]: c for c in self.review_comments}
        nodes = [
            {"id": t["id"], "isResolved": t["isResolved"], "comments": {"nodes": [{"body": by_id[t["comment"]]["body"]}]}}
            for t in self.threads.values()
            if by_id[t["comment"]]["repo"] == repo and by_id[t["comment"]]["number"] == variables["number"]
        ]
        page = {"nodes": nodes, "pageInfo": {"hasNextPage": False, "endCursor": None}}
        return {"repository": {"pullRequest": {"reviewThreads": page}}}


def _public_run(run: dict[str, Any]) -> dict[str, Any]:
    """Return a check run as the API shows it."""
    return {"id": run["id"], "name": run["name"], "head_sha": run["head_sha"], "status": run["status"],
            "conclusion": run["conclusion"], "external_id": run["external_id"],
            "output": {k: v for k, v in run["output"].items() if k in ("title", "summary", "text")}}


def _page(items: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
    """Return one page of a list, as `page` and `per_page` ask."""
    per_page = int(query.get("per_page", 30))
    page = int(query.get("page", 1))
    return items[(page - 1) * per_page : page * per_page]


_REPO = r"/repos/([^/]+/[^/]+)"
ROUTES: list[tuple[str, re.Pattern[str], Any]] = [
    ("POST", re.compile(r"/app/installations/(\d+)/access_tokens"), FakeGitHub.access_token),
    ("GET", re.compile(_REPO + r"/pulls/(\d+)"), FakeGitHub.get_pull),
    ("POST", re.compile(_REPO + r"/check-runs"), FakeGitHub.create_check_run),
    ("PATCH", re.compile(_REPO + r"/check-runs/(\d+)"), FakeGitHub.update_check_run),
    ("GET", re.compile(_REPO + r"/commits/([^/]+)/check-runs"), FakeGitHub.list_check_runs),
    ("GET", re.compile(_REPO + r"/pulls/(\d+)/reviews"), FakeGitHub.list_reviews),
    ("POST", re.compile(_REPO + r"/pulls/(\d+)/reviews"), FakeGitHub.create_review),
    ("GET", re.compile(_REPO + r"/pulls/(\d+)/comments"), FakeGitHub.list_review_comments),
    ("GET", re.compile(_REPO + r"/issues/comments/(\d+)"), FakeGitHub.get_issue_comment),
    ("POST", re.compile(_REPO + r"/issues/comments/(\d+)/reactions"), FakeGitHub.create_reaction),
    ("POST", re.compile(_REPO + r"/issues/(\d+)/comments"), FakeGitHub.create_issue_comment),
    ("GET", re.compile(_REPO + r"/collaborators/([^/]+)/permission"), FakeGitHub.get_permission),
    ("POST", re.compile(r"/graphql"), FakeGitHub.graphql),
]


PEER_HEADER = "x-fake-peer"  # set by the server, never by a client


class _Handler(BaseHTTPRequestHandler):
    """HTTP glue between ThreadingHTTPServer and FakeGitHub."""

    server: FakeServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        headers[PEER_HEADER] = "%s:%s" % self.client_address[:2]  # noqa: UP031
        status, body, extra = self.server.fake.handle(self.command, self.path, headers, raw)
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


class FakeServer(ThreadingHTTPServer):
    """The fake API served on a loopback port, in a background thread."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore clients that went away (a killed worker), which the tests cause on purpose."""

    def __init__(self, fake: FakeGitHub) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """Return the API's base URL."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
