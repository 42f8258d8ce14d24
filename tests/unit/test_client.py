"""The HTTP client against a real local HTTP server: retries, timeouts, error text, check-mode refusal."""

import socket

import pytest

from ansible_collections.llmops.litellm.plugins.module_utils._client import Client, retry_delay, should_retry
from ansible_collections.llmops.litellm.plugins.module_utils._errors import LiteLLMError
from tests.unit.httpstub import Reply

KEY = "sk-unit-test-master-key-0123456789"


def client(url, **kwargs):
    sleeps = []
    kwargs.setdefault("timeout", 2)
    c = Client(url, KEY, sleep=sleeps.append, **kwargs)
    c.sleeps = sleeps
    return c


def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return "http://127.0.0.1:%d" % sock.getsockname()[1]


@pytest.mark.parametrize("attempt, backoff, retry_after, expected", [
    (0, 0.5, None, 0.5),
    (1, 0.5, None, 1.0),
    (3, 0.5, None, 4.0),
    (0, 0.5, "2", 2.0),
    (0, 0.5, "0.25", 0.25),
    (0, 0.5, "600", 30.0),
    (0, 0.5, "-3", 0.0),
    (1, 0.5, "Wed, 21 Oct 2015 07:28:00 GMT", 1.0),
])
def test_retry_delay(attempt, backoff, retry_after, expected):
    assert retry_delay(attempt, backoff, retry_after) == expected


@pytest.mark.parametrize("status, idempotent, expected", [
    (429, False, True),
    (429, True, True),
    (502, True, True),
    (503, True, True),
    (504, True, True),
    (502, False, False),
    (503, False, False),
    (500, True, False),
    (400, True, False),
    (404, True, False),
])
def test_should_retry(status, idempotent, expected):
    assert should_retry(status, idempotent) is expected


def test_get_sends_bearer_key_and_returns_json(stub):
    stub.routes = {("GET", "/team/info"): Reply(200, {"team_id": "t1"})}
    assert client(stub.url).get("/team/info", params={"team_id": "t1"}) == {"team_id": "t1"}
    (request,) = stub.requests
    assert request.headers["Authorization"] == "Bearer " + KEY
    assert request.query == {"team_id": "t1"}


def test_post_sends_json_body(stub):
    stub.routes = {("POST", "/team/new"): Reply(200, {"team_id": "t1"})}
    assert client(stub.url + "/").post("/team/new", {"team_alias": "a"}) == {"team_id": "t1"}
    assert [(r.path, r.body) for r in stub.requests] == [("/team/new", {"team_alias": "a"})]


@pytest.mark.parametrize("method, status, idempotent, tries", [
    ("GET", 503, None, 4),
    ("GET", 502, None, 4),
    ("GET", 429, None, 4),
    ("POST", 429, False, 4),
    ("POST", 503, True, 4),
    ("POST", 503, False, 1),
    ("POST", 502, False, 1),
    ("POST", 504, False, 1),
    ("GET", 500, None, 1),
])
def test_retries_only_where_repeating_is_safe(stub, method, status, idempotent, tries):
    stub.routes = {(method, "/x"): Reply(status, {"error": {"message": "busy"}})}
    c = client(stub.url)
    with pytest.raises(LiteLLMError) as caught:
        c.request(method, "/x", body={} if method == "POST" else None, idempotent=idempotent)
    assert len(stub.requests) == tries
    assert caught.value.status == status
    assert len(c.sleeps) == tries - 1


def test_retry_recovers_and_honours_retry_after(stub):
    stub.routes = {("GET", "/x"): [Reply(429, {}, headers={"Retry-After": "3"}), Reply(503, {}), Reply(200, {"ok": 1})]}
    c = client(stub.url)
    assert c.get("/x") == {"ok": 1}
    assert c.sleeps == [3.0, 1.0]


def test_timeout_on_a_create_is_not_retried(stub):
    stub.routes = {("POST", "/team/new"): Reply(200, {}, delay=1.0)}
    c = client(stub.url, timeout=0.2)
    with pytest.raises(LiteLLMError) as caught:
        c.post("/team/new", {"team_alias": "a"})
    assert len(stub.requests) == 1
    assert caught.value.msg.startswith("cannot reach LiteLLM at %s: " % stub.url)
    assert "timed out" in caught.value.msg
    assert "POST /team/new" in caught.value.msg


def test_timeout_on_a_read_is_retried(stub):
    stub.routes = {("GET", "/x"): [Reply(200, {}, delay=1.0), Reply(200, {"ok": 1})]}
    c = client(stub.url, timeout=0.2)
    assert c.get("/x") == {"ok": 1}
    assert len(stub.requests) == 2


def test_unreachable_url_names_url_and_reason_and_retries_even_a_create():
    url = closed_port_url()
    c = client(url)
    with pytest.raises(LiteLLMError) as caught:
        c.post("/team/new", {"team_alias": "a"})
    assert caught.value.msg.startswith("cannot reach LiteLLM at %s: " % url)
    assert "Connection refused" in caught.value.msg
    assert "object at 0x" not in caught.value.msg
    assert len(c.sleeps) == 3, "a request that never left this host is safe to repeat"


def test_401_says_the_key_was_rejected_without_leaking_it(stub):
    stub.routes = {("GET", "/team/info"): Reply(401, {"error": {
        "message": "Authentication Error, Invalid proxy server token passed. Received API Key = %s" % KEY,
        "type": "auth_error", "param": "None", "code": "401"}})}
    with pytest.raises(LiteLLMError) as caught:
        client(stub.url).get("/team/info")
    error = caught.value
    assert error.msg.startswith("authentication failed: the api_key was rejected")
    assert error.status == 401
    assert KEY not in error.msg and KEY not in repr(error.body)
    assert KEY[:12] not in error.msg


@pytest.mark.parametrize("body, message", [
    ({"error": {"message": "Team not found", "type": "not_found", "param": "team_id", "code": "404"}}, "Team not found"),
    ({"detail": {"error": "Team doesn't exist"}}, "Team doesn't exist"),
    ({"detail": "plain detail"}, "plain detail"),
    ({"detail": [{"loc": ["body", "max_budget"], "msg": "Input should be a valid number"}]},
     "max_budget: Input should be a valid number"),
    ("<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
])
def test_error_carries_method_path_status_and_litellm_message(stub, body, message):
    stub.routes = {("POST", "/team/update"): Reply(400, body)}
    with pytest.raises(LiteLLMError) as caught:
        client(stub.url).post("/team/update", {"team_id": "t"})
    assert caught.value.msg == "POST /team/update returned HTTP 400: %s" % message
    assert caught.value.status == 400


def test_error_body_is_scrubbed(stub):
    stub.routes = {("POST", "/key/generate"): Reply(400, {"error": {"message": "bad", "param": {"api_key": "xyz"}}})}
    with pytest.raises(LiteLLMError) as caught:
        client(stub.url).post("/key/generate", {})
    assert caught.value.body == {"error": {"message": "bad", "param": {"api_key": "********"}}}


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_check_mode_refuses_writes_before_they_leave(stub, method):
    c = client(stub.url, check_mode=True)
    with pytest.raises(LiteLLMError, match="refusing to send %s /team/new in check mode" % method):
        c.request(method, "/team/new", body={})
    assert stub.requests == []


def test_check_mode_still_reads(stub):
    stub.routes = {("GET", "/v2/team/list"): Reply(200, {"teams": []})}
    assert client(stub.url, check_mode=True).get("/v2/team/list") == {"teams": []}


def test_empty_success_body_is_none(stub):
    stub.routes = {("POST", "/team/member_delete"): Reply(200, b"")}
    assert client(stub.url).post("/team/member_delete", {}) is None


def test_one_connection_serves_every_request(stub):
    stub.routes = {("GET", "/x"): Reply(200, {}), ("POST", "/y"): Reply(200, {})}
    c = client(stub.url)
    c.get("/x")
    c.post("/y", {"a": 1})
    c.get("/x")
    assert len({r.peer for r in stub.requests}) == 1


def test_a_connection_the_server_closed_is_opened_again(stub):
    stub.routes = {("GET", "/x"): Reply(200, {"n": 1}, headers={"Connection": "close"}),
                   ("POST", "/team/new"): Reply(200, {"team_id": "t"})}
    c = client(stub.url)
    assert c.get("/x") == {"n": 1}
    assert c.post("/team/new", {"team_alias": "a"}) == {"team_id": "t"}
    assert [r.method for r in stub.requests] == ["GET", "POST"]
    assert c.sleeps == [], "no retry: the closed connection was seen before sending"
    assert stub.requests[0].peer != stub.requests[1].peer


def test_query_leaves_out_none_and_repeats_lists(stub):
    stub.routes = {("GET", "/x"): Reply(200, {})}
    c = client(stub.url)
    c.get("/x", params={"a": None, "b": ["1", "2"], "c": "x y"})
    (request,) = stub.requests
    assert request.target == "/x?b=1&b=2&c=x+y"


def test_base_path_and_unsafe_path_characters(stub):
    stub.routes = {("GET", "/proxy/a%20b"): Reply(200, {"ok": 1})}
    assert client(stub.url + "/proxy").get("/a b") == {"ok": 1}


def test_http_proxy_from_the_environment(stub, monkeypatch):
    monkeypatch.setenv("http_proxy", stub.url)
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    stub.routes = {("GET", "/team/info"): Reply(200, {"team_id": "t1"})}
    assert client("http://litellm.example.invalid:4000").get("/team/info") == {"team_id": "t1"}
    (request,) = stub.requests
    assert request.target == "http://litellm.example.invalid:4000/team/info"


def test_no_proxy_is_honoured(stub, monkeypatch):
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    stub.routes = {("GET", "/x"): Reply(200, {"ok": 1})}
    assert client(stub.url).get("/x") == {"ok": 1}


def test_a_url_that_is_not_http_is_an_error_naming_it():
    c = client("litellm:4000")
    with pytest.raises(LiteLLMError) as caught:
        c.get("/x")
    assert caught.value.msg.startswith("cannot reach LiteLLM at litellm:4000: not an http:// or https:// URL")


@pytest.fixture
def tls_stub(stub, tmp_path):
    """The stub server behind TLS, with a certificate for 127.0.0.1 made here (``stub.ca``: its file)."""
    import ssl
    import subprocess
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    stub.server.socket = context.wrap_socket(stub.server.socket, server_side=True)
    stub.url = stub.url.replace("http://", "https://")
    stub.ca = str(cert)
    return stub


def test_tls_verified_against_ca_path(tls_stub):
    tls_stub.routes = {("GET", "/x"): Reply(200, {"ok": 1})}
    assert client(tls_stub.url, ca_path=tls_stub.ca).get("/x") == {"ok": 1}
    assert client(tls_stub.url, validate_certs=False).get("/x") == {"ok": 1}


def test_tls_unknown_certificate_is_refused_before_sending(tls_stub):
    tls_stub.routes = {("POST", "/team/new"): Reply(200, {})}
    with pytest.raises(LiteLLMError) as caught:
        client(tls_stub.url).post("/team/new", {"team_alias": "a"})
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.msg
    assert tls_stub.requests == []
