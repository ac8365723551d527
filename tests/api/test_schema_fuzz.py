"""The API against its own OpenAPI schema, with generated input (schemathesis): never a server error, and every
answer — status code, content type, body — is one the schema documents.

Bounded (FUZZ_EXAMPLES per operation and user) so that it adds well under two minutes to the suite; derandomised
like every property test here, so a failure reproduces. Runs anonymous and as a county staff member of the cast (signed in, and with an API token).
One check is left out: `positive_data_acceptance` (a schema-valid request must be accepted). The domain has rules
beyond the schema — control characters in a message, the submission throttles — whose refusals are documented
422/429 answers, not bugs.
"""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

FUZZ_EXAMPLES = 8

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    # The WSGI handler closes "old" database connections around each request, which on PostgreSQL would close
    # the test's own connection mid-transaction. Django's test client unhooks the same signal handler.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def session_cookie(cast):
    client = Client()
    client.force_login(cast.staff)
    return {"sessionid": client.cookies["sessionid"].value}


@pytest.fixture
def staff_token(cast):
    from liaison.api.services import create_personal_token

    return create_personal_token(user=cast.staff, name="fuzz", expires_in_days=None, actor=cast.staff)[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@pytest.mark.parametrize("who", ["anonymous", "staff", "staff-token"])
def test_it_answers_every_generated_request_as_its_schema_says(case, who, request, cast):
    # The generated credentials are random (anonymous: 401 expected). As staff, a real session replaces the
    # generated cookie wherever the case has one (and the generated bearer token goes: a request with an
    # Authorization header is the token's to decide); the session's writes stop at the CSRF check (403). With
    # staff-token, a real API token replaces the generated one (and the cookie goes), so writes reach the
    # services. The negative cases that leave the credential out still expect a 401.
    # In-process WSGI calls do not undo a Content-Encoding the way an HTTP client does: ask for plain bodies
    # (the gzip middleware, liaison/lib/compression.py, is tested on its own).
    headers = {"Accept-Encoding": "identity"}
    if who == "staff" and "sessionid" in (case.cookies or {}):
        case.cookies["sessionid"] = request.getfixturevalue("session_cookie")["sessionid"]
        (case.headers or {}).pop("Authorization", None)
    if who == "staff-token" and "Authorization" in (case.headers or {}):
        (case.cookies or {}).pop("sessionid", None)
        headers["Authorization"] = f"Bearer {request.getfixturevalue('staff_token')}"
    response = case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500
