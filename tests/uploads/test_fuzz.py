"""Hypothesis throws random bodies, headers, paths and broken exports at the upload endpoint.

The ASGI app runs in-process, with the client certificate put into the scope by the same wrapper
the TLS protocol class uses. Whatever comes in, the answer is JSON with a known status, never 500.
"""

import asyncio
import copy
import gzip
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parabench.uploads.refusals import REFUSALS
from parabench.uploads.service import application
from parabench.uploads.tls import _with_tls
from tests.certificates.factories import issue_certificate_for
from tests.uploads.exports import export_bytes, make_export

pytestmark = pytest.mark.slow

KNOWN_STATUSES = {200, 202} | {status for status, _nl, _en in REFUSALS.values()}
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def call(app, *, method="POST", path="/ParabenchUploader/services/exports", headers=(), body=b""):
    """One HTTP request through the ASGI app; returns (status, parsed JSON body)."""
    sent = []
    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)] or [b""]

    async def receive():
        if chunks:
            chunk = chunks.pop(0)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "https",
        "path": path,
        "raw_path": path.encode("latin-1", "replace"),
        "query_string": b"",
        "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8443),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], json.loads(body)


@pytest.fixture
def app_with_certificate(transactional_db, practice_a):
    certificate, _pfx = issue_certificate_for(practice_a)
    extension = {"client_cert_chain": [certificate.certificate_pem]}
    return _with_tls(application, extension)


@pytest.fixture
def valid_document(practice_a):
    return make_export(practice_a.agb_code)


latin1_text = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)
header_names = st.sampled_from(
    ["Content-Type", "Content-Encoding", "Content-Length", "X-SSL-Client-Cert", "Accept"]
)


@FUZZ
@given(
    body=st.binary(max_size=2048),
    headers=st.lists(st.tuples(header_names, latin1_text), max_size=4),
    gzip_it=st.booleans(),
    as_json=st.booleans(),
)
def test_random_bodies_and_headers_never_cause_a_500(
    app_with_certificate, body, headers, gzip_it, as_json
):
    if gzip_it:
        body = gzip.compress(body)
        headers = [("Content-Encoding", "gzip"), *headers]
    if as_json:
        headers = [("Content-Type", "application/json"), *headers]
    status, payload = call(app_with_certificate, headers=headers, body=body)
    assert status in KNOWN_STATUSES
    assert status == 202 or payload["error"]["code"] in REFUSALS


@FUZZ
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
    tail=st.text(max_size=30),
)
def test_random_paths_and_methods_never_cause_a_500(app_with_certificate, method, tail):
    status, payload = call(
        app_with_certificate, method=method, path="/ParabenchUploader/services/" + tail
    )
    assert status in KNOWN_STATUSES


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _paths(inner, (*prefix, index))


@FUZZ
@given(data=st.data())
def test_broken_exports_are_refused_with_a_reason_never_a_500(
    app_with_certificate, valid_document, data
):
    document = copy.deepcopy(valid_document)
    paths = [p for p in _paths(document) if p]
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(paths))
        target = document
        try:
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = data.draw(json_values)
        except (KeyError, IndexError, TypeError):
            continue
    try:
        body = json.dumps(document).encode()
    except ValueError:
        return
    status, payload = call(
        app_with_certificate, headers=[("Content-Type", "application/json")], body=body
    )
    assert status in {202, 403, 413, 422}
    if status == 422:
        assert payload["error"]["code"] in {
            "not_json",
            "format_unsupported",
            "schema_invalid",
            "period_invalid",
        }


def test_a_valid_export_through_the_same_harness_is_accepted(app_with_certificate, valid_document):
    status, payload = call(
        app_with_certificate,
        headers=[("Content-Type", "application/json")],
        body=export_bytes(valid_document),
    )
    assert (status, payload["duplicate"]) == (202, False)


def test_schemathesis_finds_no_server_error_over_real_tls(uploader, practice_a, client_files):
    """Cases generated from the served OpenAPI description, sent over mutual TLS.

    /exports and /validate take the same body schema (an Export): each generated body goes to
    both. Generating an Export from the schema is what costs (≈1–2 s a body, most of Hypothesis'
    attempts overrun its buffer; the 77 requests themselves took 2.7 s of 232 s, cProfile,
    29 November 2026): drawn once, they cost one generation instead of two, and 25 still reach
    each endpoint (call 97 s -> 56 s on SQLite, 68 s -> 62 s on PostgreSQL, load 7-8)."""
    import requests
    import schemathesis
    from hypothesis import given as hypothesis_given

    tls = {"cert": client_files(practice_a), "verify": str(uploader.ca_path)}
    statuses = {}
    # Closed at the end: an open keep-alive connection kept the uploader from stopping on
    # SIGTERM, and its teardown waited the full 10 s before killing it.
    with requests.Session() as session:
        document = session.get(f"{uploader.base}/openapi.json", timeout=30, **tls).json()
        schema = schemathesis.openapi.from_dict(document)
        operations = {
            (op.method.upper(), op.path): op
            for op in (result.ok() for result in schema.get_all_operations())
        }
        validate = operations.pop(("POST", "/validate"))

        def send(case):
            response = case.call(base_url=uploader.base, session=session, timeout=30, **tls)
            statuses.setdefault(case.path, []).append(response.status_code)
            assert response.status_code < 500, (case.method, case.path, response.text)

        for operation in operations.values():

            @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
            @hypothesis_given(case=operation.as_strategy())
            def check(case):
                send(case)
                if case.path == "/exports":
                    send(
                        validate.Case(
                            body=case.body, headers=case.headers, media_type=case.media_type
                        )
                    )

            check()
    assert set(statuses) == {"/exports", "/validate", "/imports/{import_number}", "/openapi.json"}
    assert len(statuses["/validate"]) == len(statuses["/exports"]) > 0
    assert all(s < 500 for answers in statuses.values() for s in answers)
