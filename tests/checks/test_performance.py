"""Performance checks: PRF001-PRF004."""

from __future__ import annotations

import textwrap

from tests.helpers import file_findings


def lines(source: str, code: str, path: str = "svc/module.py") -> list[int]:
    """Return the lines one code flags in a dedented source file, in order."""
    return sorted(f.line for f in file_findings(path, textwrap.dedent(source), code))


# --- PRF001 blocking-call-in-async --------------------------------------------------------------

BLOCKING = """\
import http.client
import requests as r
import socket
import urllib3
from socket import getaddrinfo

import httpx

SESSION = r.Session()


class Api:
    def __init__(self):
        self.http = httpx.Client()
        self.pool = urllib3.PoolManager()

    async def users(self):
        self.http.get("/users")
        return self.pool.request("GET", "/users")


async def fetch(url, session: r.Session):
    SESSION.get(url)
    session.post(url)
    with r.Session() as s:
        s.get(url)
    r.Session().get(url)
    httpx.Client().get(url)
    http.client.HTTPSConnection("example.com").request("GET", "/")
    getaddrinfo("example.com", 443)
    sock = socket.create_connection(("example.com", 443))
    sock.sendall(b"ping")
    return sock.recv(4)
"""


def test_blocking_calls_ruff_misses_are_flagged() -> None:
    assert lines(BLOCKING, "PRF001") == [18, 19, 23, 24, 26, 27, 28, 29, 30, 31, 32, 33]


def test_non_blocking_and_ruff_covered_forms_are_not_flagged() -> None:
    source = """\
    import asyncio
    import socket

    import aiohttp
    import httpx
    import requests


    def sync_fetch(url):
        return requests.Session().get(url)


    async def fetch(url, client: httpx.Client):
        client.get(url)  # ruff ASYNC212
        local = httpx.Client()
        local.get(url)  # ruff ASYNC212
        session = requests.Session()
        await asyncio.to_thread(lambda: session.get(url))

        def worker():
            return session.get(url)

        await asyncio.to_thread(worker)
        async with aiohttp.ClientSession() as http:
            await http.get(url)
        sock = socket.socket()
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("example.com", 80))
        sock.send(b"x")
    """
    assert lines(source, "PRF001") == []


def test_a_name_rebound_to_something_else_is_not_a_client() -> None:
    source = """\
    import aiohttp
    import requests


    async def fetch(url, flag):
        session = requests.Session()
        if flag:
            session = aiohttp.ClientSession()
        return await session.get(url)
    """
    assert lines(source, "PRF001") == []


# --- PRF002 lru-cache-on-coroutine --------------------------------------------------------------

CACHED = """\
import functools as ft
from functools import cache, cached_property


@ft.lru_cache(maxsize=32)
async def settings(tenant):
    return await load(tenant)


@cache
async def flags():
    return await load("flags")


class Account:
    @cached_property
    async def balance(self):
        return await load(self)
"""


def test_memoising_a_coroutine_function_is_flagged() -> None:
    assert lines(CACHED, "PRF002") == [5, 10, 16]


def test_memoising_sync_functions_or_with_async_caches_is_not_flagged() -> None:
    source = """\
    import functools

    from async_lru import alru_cache

    from .caching import cache


    @functools.lru_cache
    def settings(tenant):
        return load(tenant)


    @alru_cache(maxsize=32)
    async def flags():
        return await load("flags")


    @cache
    async def limits():
        return await load("limits")
    """
    assert lines(source, "PRF002") == []


# --- PRF003 regex-compiled-in-loop --------------------------------------------------------------

COMPILED = """\
import re as regex


def scan(lines, text):
    for line in lines:
        pattern = regex.compile(r"v(\\d+)")
        pattern.match(line)
    while not regex.compile("^done$", regex.I | regex.M).search(text):
        text = step(text)
    return [regex.compile(b"x").match(s) for s in lines]
"""


def test_constant_patterns_compiled_in_loops_are_flagged() -> None:
    assert lines(COMPILED, "PRF003") == [6, 8, 10]


def test_hoisted_dynamic_and_cached_patterns_are_not_flagged() -> None:
    source = """\
    import re

    VERSION = re.compile(r"v(\\d+)")


    def scan(lines, words):
        for word in words:
            re.compile(re.escape(word))
            re.match(r"v\\d+", word)
        for pattern in [re.compile("a"), re.compile("b")]:
            pattern.match("ab")
        for line in lines:
            def later(s):
                return re.compile("x").match(s)
            later(line)
        return [VERSION.match(line) for line in lines if re.compile("{}".format(line))]
    """
    assert lines(source, "PRF003") == []


# --- PRF004 query-in-loop -----------------------------------------------------------------------

QUERIES = """\
from django.db import connection
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop.models import Customer, Order


def receipts(orders, db: Session):
    for order in orders:
        customer_id = order.customer_id
        customer = Customer.objects.get(id=customer_id)
        for line in Order.objects.filter(customer=customer):
            send(line)
        db.query(Order).filter(Order.id == order.id).first()
        db.execute(select(Order).where(Order.customer_id == customer.id))
    return [Customer.objects.filter(pk=pk).exists() for pk in orders]


def save(rows):
    with connection.cursor() as cur:
        for row in rows:
            cur.execute("INSERT INTO events (kind) VALUES (%s)", (row.kind,))


async def totals(pool, ids):
    async with pool.acquire() as conn:
        async for item in ids:
            await conn.fetchrow("SELECT total FROM orders WHERE id = $1", item)


def names(session, ids):
    return [session.execute(text("SELECT name FROM users WHERE id = :id"), {"id": i}) for i in ids]
"""


def test_queries_per_loop_item_are_flagged() -> None:
    assert lines(QUERIES, "PRF004") == [11, 12, 14, 15, 16, 22, 28, 32]


def test_queries_in_test_files_are_not_flagged() -> None:
    assert lines(QUERIES, "PRF004", path="tests/test_receipts.py") == []
    assert lines(BLOCKING, "PRF001", path="tests/test_api.py") == []
    assert lines(COMPILED, "PRF003", path="svc/scan_test.py") == []


def test_batched_constant_and_polling_queries_are_not_flagged() -> None:
    source = """\
    import time

    from shop.models import Customer, Order


    def fine(orders, cursor, session, rows, migrations, chunks):
        ids = [o.customer_id for o in orders]
        customers = Customer.objects.in_bulk(ids)
        for order in orders:
            Customer.objects.filter(id__in=ids).count()
            pending = Order.objects.filter(customer=order.customer_id)
            Order.objects.get(pk=1)
            session.get(order.url)
        cursor.executemany("INSERT INTO t VALUES (%s)", rows)
        for stmt in migrations:
            cursor.execute(stmt)
        for batch in chunks:
            cursor.execute("DELETE FROM t WHERE id = ANY(%s)", (batch,))
        for row in rows:
            cursor.execute("SELECT * FROM t WHERE id IN (%s, %s)", (row.a, row.b))
        for table in ("a", "b"):
            session.execute(text(f"TRUNCATE {table}"))
        while True:
            job = Order.objects.filter(status="new").first()
            if job:
                return job, customers, pending
            time.sleep(1)
    """
    assert lines(source, "PRF004") == []


def test_lookups_outside_django_files_are_not_taken_for_queries() -> None:
    source = """\
    class Registry:
        objects = {}


    def resolve(names):
        return [Registry.objects.get(name) for name in names]
    """
    assert lines(source, "PRF004") == []
