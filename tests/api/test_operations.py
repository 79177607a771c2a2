"""Operations over real HTTP: limits (413, 429), auth, request ids, JSON logs, metrics."""

from __future__ import annotations

import concurrent.futures
import contextlib
import resource
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import RunningServer, running_server

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
SLOW_ITEM = {"response": r"</think> \boxed{9^{9^{9^{99}}}}", "answer": "1"}
QUICK_ITEM = {"response": r"</think> \boxed{1}", "answer": "1"}


OPS_ENV = {
    "REWARD_SERVICE_TOKEN": TOKEN,
    "REWARD_SERVER__MAX_BODY_MB": "1",
    "REWARD_SERVER__MAX_BODIES_MB": "2",
    "REWARD_SERVER__MAX_QUEUED_ITEMS": "16384",
    "REWARD_SERVER__MAX_REQUESTS": "4",
    "REWARD_SERVER__MAX_WAITING_REQUESTS": "2",
    "REWARD_SERVER__BODY_TIMEOUT_S": "3",
    "REWARD_SERVER__HEADER_TIMEOUT_S": "1",
    "REWARD_WORKERS__ITEM_TIMEOUT_S": "3",
    "REWARD_SANDBOX__BACKEND": "local",
}


@pytest.fixture(scope="module")
def ops_server() -> RunningServer:
    with running_server(OPS_ENV) as running:
        yield running


@pytest.fixture
def patient_server() -> RunningServer:
    """The ops server with a body timeout of 8 s: a body slow for 2 s is cut to make room well
    before it would time out, however slowly a loaded machine sends the one that needs it."""
    with running_server({**OPS_ENV, "REWARD_SERVER__BODY_TIMEOUT_S": "8"}) as running:
        yield running


@pytest.fixture
def ops(ops_server: RunningServer) -> httpx.Client:
    with httpx.Client(base_url=ops_server.url, headers=AUTH, timeout=60) as http:
        yield http


def test_a_body_over_the_limit_is_413_before_it_is_read(ops):
    item = {"response": "x" * 600_000, "answer": "1"}
    response = ops.post("/v1/score", json={"items": [item, item]})
    assert response.status_code == 413
    assert response.json() == {"message": "request body over the limit of 1 MiB; split the batch"}
    assert len(response.headers["X-Request-ID"]) == 32


def test_a_streamed_body_is_cut_off_at_the_limit(ops):
    def chunks():
        yield b'{"items": [{"answer": "1", "response": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}]}'

    response = ops.post("/v1/score", content=chunks(), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert "1 MiB" in response.json()["message"]


def test_past_the_queue_limit_a_request_gets_429_with_retry_after(ops):
    # 16000 items, one of them stuck until the 3 s item limit: the queue is nearly full
    # while it runs, so another 1000 items do not fit.
    held = [SLOW_ITEM] + [QUICK_ITEM] * 15_999
    with concurrent.futures.ThreadPoolExecutor(1) as background:
        holding = background.submit(ops.post, "/v1/score", json={"items": held})
        time.sleep(1.0)
        refused = ops.post("/v1/score", json={"items": [QUICK_ITEM] * 1000})
        first = holding.result()
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"
    assert "retry after 1 s" in refused.json()["message"]
    assert first.status_code == 200
    assert first.json()["results"][0]["details"]["reason"] == "timeout"
    assert ops.post("/v1/score", json={"items": [QUICK_ITEM] * 1000}).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/score"),
        ("POST", "/v1/accuracy"),
        ("POST", "/get_reward"),
        ("GET", "/metrics"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/no/such/path"),
    ],
)
def test_with_a_token_set_every_path_but_health_needs_it(ops_server, method, path):
    body = {"items": [QUICK_ITEM]} if method == "POST" else None
    wrong = [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": TOKEN},
    ]
    for headers in wrong:
        response = httpx.request(method, ops_server.url + path, json=body, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"] == "Bearer"
        assert response.json() == {"message": "missing or wrong bearer token"}
    allowed = httpx.request(method, ops_server.url + path, json=body, headers=AUTH)
    assert allowed.status_code != 401


def test_health_needs_no_token(ops_server):
    assert httpx.get(ops_server.url + "/health").status_code == 200


def test_no_cors_headers_unless_origins_are_configured(ops):
    response = ops.options(
        "/v1/score",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in response.headers


@contextlib.contextmanager
def holding(server: RunningServer, body: dict, requests: int) -> Iterator[None]:
    """`requests` slow posts of `body` in progress for the block (from 1 s after they are
    sent); each of them answered 200 after it."""
    with concurrent.futures.ThreadPoolExecutor(requests) as background:
        held = [
            background.submit(
                httpx.post, server.url + "/v1/score", json=body, headers=AUTH, timeout=30
            )
            for _ in range(requests)
        ]
        time.sleep(1.0)
        yield
        assert all(answer.result().status_code == 200 for answer in held)


def test_past_the_request_limit_requests_wait_and_past_the_waiting_limit_get_429(ops_server):
    # The ops server has 4 requests in progress at once and 2 waiting: 6 slow ones fill it,
    # and the 2 that waited are answered too (`holding` checks).
    slow = {"items": [SLOW_ITEM]}
    with holding(ops_server, slow, 6):
        refused = httpx.post(ops_server.url + "/v1/score", json=slow, headers=AUTH)
        health = httpx.get(ops_server.url + "/health")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.json()["message"] == (
        "busy: 4 requests in progress and 2 waiting, the limits; retry after 1 s"
    )
    assert health.status_code == 200


def test_past_the_bytes_of_bodies_in_progress_a_request_gets_429_before_its_body_is_read(
    ops_server,
):
    # The ops server holds 2 MiB of bodies at once: two slow requests of 0.9 MiB fill it.
    padded = {"items": [{**SLOW_ITEM, "response": "x" * 900_000 + SLOW_ITEM["response"]}]}
    with holding(ops_server, padded, 2):
        refused = httpx.post(ops_server.url + "/v1/score", json=padded, headers=AUTH)
        small = httpx.post(ops_server.url + "/v1/score", json={"items": [QUICK_ITEM]}, headers=AUTH)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert refused.json()["message"] == (
        "busy: 1.7 MiB of request bodies in progress, 0.9 MiB more would pass the limit of "
        "2 MiB; retry after 1 s"
    )
    assert small.status_code == 200


def stalled_bodies(server: RunningServer, count: int, announced: int) -> list[socket.socket]:
    """`count` connections that post with a Content-Length of `announced` and send one byte."""
    port = int(server.url.rsplit(":", 1)[1])
    head = (
        f"POST /v1/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {announced}\r\n\r\n{{"
    )
    stalled = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", port))
        connection.sendall(head.encode())
        stalled.append(connection)
    return stalled


def whole_answer(connection: socket.socket) -> bytes:
    """An answer's head and JSON body, which may come apart, read before the socket closes."""
    connection.settimeout(10)
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.endswith(b"}"):
        chunk = connection.recv(4096)
        if not chunk:
            break
        answer += chunk
    connection.close()
    return answer


def test_bodies_announced_and_never_sent_hold_nothing_and_time_out_with_408(ops_server):
    """Two connections announce 1 MB bodies, send one byte and wait: the bodies in progress
    count what arrived, so a real 0.9 MiB request passes; the two get 408 at the timeout."""
    stalled = stalled_bodies(ops_server, 2, announced=1_000_000)
    time.sleep(0.5)
    padded = {"items": [{**QUICK_ITEM, "response": "x" * 900_000 + QUICK_ITEM["response"]}]}
    admitted = httpx.post(ops_server.url + "/v1/score", json=padded, headers=AUTH, timeout=30)
    assert admitted.status_code == 200, admitted.text
    for connection in stalled:
        answer = whole_answer(connection)
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert b"not received within 3 s" in answer


def send_for(connections: list[socket.socket], seconds: float, each: bytes) -> None:
    """Send `each` on every connection every 0.3 s, for `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        for connection in connections:
            connection.sendall(each)
        time.sleep(0.3)


def test_slow_bodies_are_cut_to_make_room_for_one_that_arrives(patient_server):
    """Two connections send 0.9 MiB of an announced 1 MB, then nothing, holding 1.8 MiB of
    the 2 MiB of bodies in progress: a body that arrives once they were slow for 2 s is let
    in (it got 429 until their 8 s timeout). The slow body that started first is cut to make
    room (the other is not needed) and gets 408 saying why; the other times out."""
    slow = stalled_bodies(patient_server, 2, announced=1_000_000)
    for connection in slow:
        connection.sendall(b" " * 900_000)
    time.sleep(2.3)
    padded = {"items": [{**QUICK_ITEM, "response": "x" * 900_000 + QUICK_ITEM["response"]}]}
    admitted = httpx.post(patient_server.url + "/v1/score", json=padded, headers=AUTH, timeout=30)
    assert admitted.status_code == 200, admitted.text
    answers = []
    for connection in slow:
        connection.settimeout(10)
        with contextlib.suppress(OSError):
            connection.sendall(b" ")
        answers.append(whole_answer(connection))
    assert all(answer.startswith(b"HTTP/1.1 408") for answer in answers), answers
    assert [b"cut to make room" in answer for answer in answers] == [True, False]


def test_bodies_that_keep_arriving_are_not_cut(ops_server):
    """A body that arrives slowly but steadily (here 160 kB/s) is no slow one."""
    arriving = stalled_bodies(ops_server, 2, announced=1_000_000)
    for connection in arriving:
        connection.sendall(b" " * 600_000)
    send_for(arriving, 2.3, b" " * 48_000)
    padded = {"items": [{**QUICK_ITEM, "response": "x" * 900_000 + QUICK_ITEM["response"]}]}
    refused = httpx.post(ops_server.url + "/v1/score", json=padded, headers=AUTH, timeout=30)
    for connection in arriving:
        connection.close()
    assert refused.status_code == 429, refused.text


def test_connections_that_trickle_their_bodies_hold_no_place(ops_server):
    """More connections than places in progress and waiting (4 + 2 here) announce a body and
    send one byte: they once held every place until their body timeout, and every other
    request waited or was refused. A request takes a place once its body is here."""
    stalled = stalled_bodies(ops_server, 8, announced=100)
    time.sleep(0.5)
    started = time.monotonic()
    answered = httpx.post(
        ops_server.url + "/v1/score", json={"items": [QUICK_ITEM]}, headers=AUTH, timeout=30
    )
    took = time.monotonic() - started
    for connection in stalled:
        connection.close()
    assert answered.status_code == 200, answered.text
    assert took < 1.5  # the stalled bodies time out after 3 s


def closed_by_server(connection: socket.socket, within_s: float) -> bool:
    """Whether the server closes `connection` within `within_s`, whatever it sent before."""
    connection.settimeout(within_s)
    with contextlib.suppress(TimeoutError, ConnectionError):
        while connection.recv(65536):
            pass
        return True
    return False


def test_connections_without_a_request_in_progress_are_closed(ops_server):
    """Connections that send nothing, trickle a request head a byte at a time, or idle after
    a response once held an open file each forever: 19,990 of them exhausted the open files,
    and no client could connect. Past the header timeout (1 s here) they are closed, while a
    request that takes longer than that (its item, or its body arriving slowly) is not."""
    port = int(ops_server.url.rsplit(":", 1)[1])
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
    trickling = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
    for connection in idle:
        connection.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    head = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 100

    def trickle() -> None:
        for byte in head:
            for connection in trickling:
                with contextlib.suppress(OSError):
                    connection.send(bytes([byte]))
            time.sleep(0.05)

    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        trickler = pool.submit(trickle)
        slow_item = pool.submit(
            httpx.post, ops_server.url + "/v1/score", json={"items": [SLOW_ITEM]}, headers=AUTH
        )
        slow_body = stalled_bodies(ops_server, 1, announced=len('{"items": []}'))[0]
        time.sleep(2)
        slow_body.sendall(b'"items": []}')
        connections = silent + trickling + idle
        closed = list(pool.map(lambda connection: closed_by_server(connection, 2.5), connections))
        trickler.result()
        assert slow_item.result().status_code == 200
    slow_body.settimeout(5)
    assert slow_body.recv(4096).startswith(b"HTTP/1.1 422")  # an answer, not a hang-up
    assert closed.count(False) == 0
    assert httpx.get(ops_server.url + "/health").status_code == 200


A_BODYS_HEAD = b"POST /v1/score HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"
A_HEALTH_CHECK = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"


def test_pipelined_requests_are_answered_up_to_a_bound(ops_server):
    """Sixteen requests sent ahead of their answers are all answered. A connection that
    sent 2,000 at once without reading an answer once had them all served, and 1,100 such
    connections kept the service busy (/health unanswered) for minutes: now those past the
    sixteen after the one in progress are dropped, and the connection closed."""
    port = int(ops_server.url.rsplit(":", 1)[1])
    for sent, answered in ((16, 16), (2_000, 17)):
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(A_HEALTH_CHECK * sent)
            connection.settimeout(10)
            answers = b""
            while received := connection.recv(65536):  # closed after the header timeout
                answers += received
        assert answers.count(b"HTTP/1.1 200") == answered
        assert (b"connection: close" in answers) == (sent > answered)


# What 1,100 connections send, each on its own, reading nothing: (first, then a byte a
# second or not).
HOLDING_A_FILE = {
    "a-head-then-silence": (A_BODYS_HEAD, False),
    "a-head-then-a-byte-a-second": (A_BODYS_HEAD, True),
    "nothing": (b"", False),
}


@pytest.mark.parametrize("name", sorted(HOLDING_A_FILE))
def test_connections_that_hold_a_file_for_nothing_past_the_open_files_are_closed(name):
    """21,000 connections that sent a head and one byte of their body once held all 20,000
    open files for the body timeout (a minute), and /health went unanswered; so did 1,100
    connections that sent nothing, and 1,100 that sent requests and read none of the answers.
    With 1,024 open files the service keeps 512 connections: past them, those through which
    less than 64 KiB goes in 2 s are closed, so /health is answered within a second and from
    then on."""
    first, trickles = HOLDING_A_FILE[name]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    env = {"REWARD_SANDBOX__BACKEND": "local"}
    with running_server(env, workers=1, open_files=1024) as server:
        port = int(server.url.rsplit(":", 1)[1])
        stalled = []
        for _ in range(1_100):  # past the service's open files, not only past 512
            connection = socket.socket()
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            connection.connect(("127.0.0.1", port))
            connection.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                connection.send(first)
            connection.setblocking(True)
            stalled.append(connection)
        stop = threading.Event()

        def trickle() -> None:
            while not stop.wait(1):
                for connection in stalled:
                    with contextlib.suppress(OSError):
                        connection.send(b" ")

        trickler = threading.Thread(target=trickle)
        if trickles:
            trickler.start()
        started = time.monotonic()
        health = []  # (seconds after the burst, answered)
        while len(health) < 40:
            try:
                answered = httpx.get(server.url + "/health", timeout=10).status_code == 200
            except httpx.TransportError:  # accepted and closed: the files were all in use
                answered = False
            health.append((time.monotonic() - started, answered))
            time.sleep(0.05)
        answered = httpx.post(server.url + "/v1/score", json={"items": [QUICK_ITEM]}, timeout=30)
        stop.set()
        if trickler.is_alive():
            trickler.join()
        closed = sum(closed_by_server(connection, 0.01) for connection in stalled)
        for connection in stalled:
            connection.close()
    answering = next(index for index, (_, answered) in enumerate(health) if answered)
    assert health[answering][0] < 1, health  # judged after a quarter of a second
    assert all(answered for _, answered in health[answering:]), health
    assert answered.status_code == 200, answered.text
    assert closed >= 1_100 - 1_024, closed


def test_request_ids_are_echoed_or_made_and_logged_as_json(ops, ops_server):
    given = ops.post(
        "/v1/score", json={"items": [QUICK_ITEM]}, headers={"X-Request-ID": "run7-step3"}
    )
    made = ops.post("/v1/score", json={"items": [QUICK_ITEM]})
    hostile_id = "a\u00e9".encode() + b"b" * 300 + b" {}"
    hostile = ops.get("/health", headers={"X-Request-ID": hostile_id})
    assert given.headers["X-Request-ID"] == "run7-step3"
    assert len(made.headers["X-Request-ID"]) == 32
    assert len(hostile.headers["X-Request-ID"]) == 32
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        access = [
            line for line in ops_server.log_lines() if line.get("logger") == "reward_service.access"
        ]
        if any(line.get("request_id") == made.headers["X-Request-ID"] for line in access):
            break
        time.sleep(0.1)
    mine = [line for line in access if line.get("request_id") == "run7-step3"]
    assert mine and mine[0]["path"] == "/v1/score" and mine[0]["status"] == 200
    assert mine[0]["level"] == "info" and mine[0]["duration_ms"] >= 0


def test_metrics_count_requests_items_and_pools(ops):
    ops.post("/v1/score", json={"items": [QUICK_ITEM, {"response": "no answer", "answer": "2"}]})
    ops.post("/v1/score", json={"nonsense": 1})
    text = ops.get("/metrics").text
    assert 'reward_requests_total{endpoint="/v1/score",method="POST",status="200"}' in text
    assert 'reward_requests_total{endpoint="/v1/score",method="POST",status="422"}' in text
    assert 'reward_request_duration_seconds_bucket{endpoint="/v1/score",le="0.5"}' in text
    assert 'reward_items_total{reason="ok",status="scored"}' in text
    assert 'reward_items_total{reason="no_answer",status="scored"}' in text
    assert "reward_workers 2.0" in text
    assert "reward_worker_restarts_total" in text
    assert 'reward_sandbox_containers{state="idle"}' in text
    assert "reward_sandbox_replaced_total 0.0" in text
    assert "reward_queued_items 0.0" in text
    assert "reward_requests_in_progress 0.0" in text  # /metrics itself is not counted
    assert "reward_requests_waiting 0.0" in text
    assert "reward_queued_items_limit 16384.0" in text
