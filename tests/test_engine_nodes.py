"""CAMUNDA_URL naming several nodes: how the list is read, and which node the client asks,
against engine stand-ins on loopback (real HTTP, real sockets; the real two-node cluster is
tests/test_cluster.py)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.fake_clock import FakeClock
from worker.config import load_settings, secret_values
from worker.engine.client import EngineClient
from worker.engine.nodes import DOWN_BASE_S, Nodes
from worker.engine.task import ExternalTask
from worker.errors import ConfigError, EngineError, EngineUnreachable, LostRace, TaskGone
from worker.metrics import Metrics

GOOD = {"TWILIO_ACCOUNT": "AC" + "0" * 32, "TWILIO_TOKEN": "t" * 32}

# -- the list ---------------------------------------------------------------------------------


def test_several_urls_are_read_as_the_nodes_of_one_cluster():
    env = {**GOOD, "CAMUNDA_URL": " http://a:8080/engine-rest/ , https://b/engine-rest"}
    settings = load_settings(env)
    assert settings.engine.urls == ("http://a:8080/engine-rest", "https://b/engine-rest")


def test_a_single_url_is_one_node_as_before():
    settings = load_settings({**GOOD, "CAMUNDA_URL": "http://lb:8080/engine-rest"})
    assert settings.camunda_url == "http://lb:8080/engine-rest"
    assert settings.engine.urls == ("http://lb:8080/engine-rest",)


def test_one_login_in_every_url_becomes_the_engine_login_and_leaves_the_urls():
    env = {**GOOD, "CAMUNDA_URL": "http://u:pw-1@a/rest,http://u:pw-1@b/rest"}
    settings = load_settings(env)
    assert (settings.camunda_user, settings.camunda_password) == ("u", "pw-1")
    assert settings.camunda_url == "http://a/rest,http://b/rest"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("http://a/rest,ftp://b/rest", "CAMUNDA_URL entry 2 must start with http:// or https://"),
        ("http://a/rest,,http://b/rest", "CAMUNDA_URL entry 2 is empty (a stray comma?)"),
        ("http://a/rest,http://a/rest/", "CAMUNDA_URL entry 2 repeats an earlier node"),
        ("http://a/rest," * 16 + "http://z/rest", "CAMUNDA_URL names more than 16 nodes"),
    ],
)
def test_a_faulty_entry_is_named_by_its_position(raw: str, problem: str):
    with pytest.raises(ConfigError) as caught:
        load_settings({**GOOD, "CAMUNDA_URL": raw})
    assert problem in str(caught.value)


def test_differing_logins_are_refused_without_echoing_them():
    env = {**GOOD, "CAMUNDA_URL": "http://u:pw-one@a/rest,http://u:pw-two@b/rest"}
    with pytest.raises(ConfigError) as caught:
        load_settings(env)
    assert "CAMUNDA_URL entry 2 has other credentials than entry 1" in str(caught.value)
    assert "pw-one" not in str(caught.value)
    assert "pw-two" not in str(caught.value)


def test_a_password_in_a_later_url_is_a_secret_to_redact():
    env = {"CAMUNDA_URL": "http://a/rest, http://u:pw%40two@b/rest"}
    assert secret_values(env) == ["pw%40two", "pw@two"]


# -- which node -------------------------------------------------------------------------------


def test_polls_take_turns_over_the_nodes():
    nodes = Nodes(["a", "b", "c"], clock=FakeClock())
    assert [nodes.order()[0] for _ in range(4)] == [0, 1, 2, 0]


def test_a_node_down_is_passed_over_until_its_wait_is_over():
    clock = FakeClock()
    nodes = Nodes(["a", "b"], clock=clock)
    nodes.unreachable(0)
    assert [nodes.order() for _ in range(2)] == [[1, 0], [1, 0]]
    clock.advance(DOWN_BASE_S)
    # Due again: it takes its turn like any node, and the next answer makes it up.
    assert nodes.order() == [0, 1]


def test_a_node_that_stays_down_waits_longer_each_time():
    clock = FakeClock()
    nodes = Nodes(["a", "b"], clock=clock)
    nodes.unreachable(0)
    clock.advance(DOWN_BASE_S)
    nodes.unreachable(0)
    clock.advance(DOWN_BASE_S)
    assert nodes.order()[0] == 1
    assert nodes.up == 1


def test_when_every_node_is_down_the_soonest_due_is_still_tried():
    clock = FakeClock()
    nodes = Nodes(["a", "b"], clock=clock)
    nodes.unreachable(1)
    clock.advance(0.5)
    nodes.unreachable(0)
    assert nodes.order() == [1, 0]


# -- the client against stand-ins -------------------------------------------------------------


class EngineStandIn:
    """Answers every request with one fixed status and JSON body, counting requests by path."""

    def __init__(self, status: int = 200, body: Any = None) -> None:
        self.status, self.body = status, body
        self.paths: list[str] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                stand_in.paths.append(self.path.split("?")[0])
                data = json.dumps(stand_in.body).encode() if stand_in.body is not None else b""
                self.send_response(stand_in.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *_args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/engine-rest"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def stand_ins() -> Iterator[list[EngineStandIn]]:
    made: list[EngineStandIn] = []
    yield made
    for stand_in in made:
        stand_in.close()


def _refusing_url() -> str:
    """A loopback port nothing listens on: connections to it are refused."""
    closed = EngineStandIn()
    url = closed.url
    closed.close()
    return url


def _client(*urls: str, metrics: Metrics | None = None) -> EngineClient:
    env = {**GOOD, "CAMUNDA_URL": ",".join(urls), "SMS_WORKER_ID": "w1"}
    return EngineClient(load_settings(env).engine, pool_size=1, metrics=metrics)


TASK = ExternalTask.from_json(
    {"id": "t1", "topicName": "T", "executionId": "e1", "processInstanceId": "p1"}
)


def test_long_polls_alternate_between_the_nodes(stand_ins: list[EngineStandIn]):
    stand_ins += [EngineStandIn(200, []), EngineStandIn(200, [])]
    client = _client(*(s.url for s in stand_ins))
    for _ in range(4):
        assert client.fetch_and_lock(1, []) == []
    assert [len(s.paths) for s in stand_ins] == [2, 2]


def test_a_call_moves_on_to_the_next_node_when_one_does_not_answer(
    stand_ins: list[EngineStandIn],
):
    stand_ins.append(EngineStandIn(204))
    client = _client(_refusing_url(), stand_ins[0].url)
    client.complete(TASK, {})
    client.complete(TASK, {})
    assert stand_ins[0].paths == ["/engine-rest/external-task/t1/complete"] * 2
    assert client.nodes_up == 1


def test_an_engine_answer_is_the_clusters_and_is_not_asked_again_elsewhere(
    stand_ins: list[EngineStandIn],
):
    body = {"type": "RestException", "message": "Unsupported value type 'X'"}
    stand_ins += [EngineStandIn(400, body), EngineStandIn(204)]
    client = _client(*(s.url for s in stand_ins))
    with pytest.raises(EngineError) as caught:
        client.complete(TASK, {})
    assert caught.value.status == 400
    assert [len(s.paths) for s in stand_ins] == [1, 0]


def test_with_no_node_answering_the_call_fails_as_unreachable():
    client = _client(_refusing_url(), _refusing_url())
    with pytest.raises(EngineUnreachable):
        client.complete(TASK, {})


def test_optimistic_locking_is_counted_as_another_node_first_not_as_an_error(
    stand_ins: list[EngineStandIn],
):
    body = {
        "type": "OptimisticLockingException",
        "message": "ENGINE-03005 Execution of 'UPDATE ExternalTaskEntity[t1]' failed. "
        "Entity was updated by another transaction concurrently.",
    }
    stand_ins.append(EngineStandIn(500, body))
    metrics = Metrics()
    client = _client(stand_ins[0].url, metrics=metrics)
    with pytest.raises(LostRace):
        client.complete(TASK, {})
    assert (
        metrics.registry.get_sample_value(
            "sms_worker_engine_lost_races_total", {"call": "complete"}
        )
        == 1
    )
    assert (
        metrics.registry.get_sample_value(
            "sms_worker_engine_request_errors_total", {"call": "complete", "status": "500"}
        )
        is None
    )


def test_a_task_gone_after_a_refused_connection_is_a_plain_task_gone(
    stand_ins: list[EngineStandIn],
):
    # Refused: the first node never got the call, so it did not complete the task either.
    stand_ins.append(EngineStandIn(404, {"type": "RestException", "message": "does not exist"}))
    client = _client(_refusing_url(), stand_ins[0].url)
    with pytest.raises(TaskGone) as caught:
        client.complete(TASK, {})
    assert not isinstance(caught.value, LostRace)


@pytest.fixture
def hanging_up_url() -> Iterator[str]:
    """A node that takes each request and closes the connection without answering, as one
    dying mid-call does: whether it carried the call out cannot be known."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/engine-rest"
    listener.close()


def test_a_task_gone_after_a_node_hung_up_mid_call_is_our_own_attempt_first(
    stand_ins: list[EngineStandIn], hanging_up_url: str
):
    stand_ins.append(EngineStandIn(404, {"type": "RestException", "message": "does not exist"}))
    client = _client(hanging_up_url, stand_ins[0].url)
    with pytest.raises(LostRace):
        client.complete(TASK, {})
