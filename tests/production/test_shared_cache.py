"""The shared cache (CACHE_URL on Redis, Django's RedisCache) is shared by every app server: two
gunicorn processes count one user's API calls against one throttle, and a dashboard one server
computed is in Redis for the other to reuse. The same two servers on the default local-memory cache
each count on their own (so the test can tell the two apart)."""

import subprocess
import time
import uuid

import httpx
import pytest
import redis

from tests.production.processes import production_env, start_gunicorn

REDIS_URL = "redis://127.0.0.1:6379/14"
RATE = 6  # calls a minute per user, the same on both servers


@pytest.fixture
def app(transactional_db, tmp_path, leader):
    """Production settings on this test's database (committed: the servers are other processes), and
    an API token of a leader: (env, token)."""
    from knox.models import AuthToken

    from tests.workers import database_url

    env = production_env(tmp_path, DATABASE_URL=database_url(), SECURE_COOKIES="0", API_THROTTLE_USER=f"{RATE}/min")
    return env, AuthToken.objects.create(user=leader)[1]


def serve(env):
    server, port = start_gunicorn(env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            if httpx.get(base + "/health/?format=json", timeout=2).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


@pytest.fixture
def two_servers(app):
    """Two app servers on one database and one cache configuration (stopped before the database is
    flushed); `start(**env)` answers (bases, token)."""
    env, token = app
    servers = []

    def start(**cache):
        servers.extend(serve(env | cache) for _ in range(2))
        return [base for _, base in servers], token

    yield start
    for server, _ in servers:
        server.terminate()
        server.wait(20)


def alternate(bases, token, calls):
    """`calls` dashboard calls, alternating between the servers: their statuses."""
    headers = {"Authorization": f"Token {token}"}
    return [
        httpx.get(bases[i % 2] + "/api/v1/dashboard/", headers=headers, timeout=30).status_code for i in range(calls)
    ]


def test_two_app_servers_share_the_throttle_and_the_dashboard_on_redis(two_servers):
    prefix = f"test-{uuid.uuid4().hex}"
    bases, token = two_servers(CACHE_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        statuses = alternate(bases, token, RATE + 1)
        # One count for both servers: the call over the rate is refused, whichever server gets it.
        assert statuses == [200] * RATE + [429]
        keys = {k.decode() for k in client.keys(f"{prefix}:*")}
        # Computed by one, there for both: one answer kept (the API keeps its plain data).
        assert len([k for k in keys if ":dashboard-data:" in k]) == 1, keys
        assert any(":throttle_user_" in k for k in keys), keys
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)


def test_on_local_memory_each_server_counts_alone(two_servers):
    bases, token = two_servers(CACHE_URL="locmemcache://")
    # Each server has seen only half of the calls: none of them is over its own count.
    assert alternate(bases, token, RATE + 1) == [200] * (RATE + 1)
