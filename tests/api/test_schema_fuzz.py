"""The API against its own OpenAPI schema, with generated input (schemathesis): never a server error, and every
answer — status code, content type, body — is one the schema documents.

Bounded (FUZZ_EXAMPLES per operation and user) so that it adds well under two minutes to the suite; derandomised
like every property test here, so a failure reproduces. Runs anonymous and as a county staff member of the cast.
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

FUZZ_EXAMPLES = 12

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


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@pytest.mark.parametrize("who", ["anonymous", "staff"])
def test_it_answers_every_generated_request_as_its_schema_says(case, who, request, cast):
    # The generated session cookie is random (anonymous: 401 expected); as staff, a real session replaces it
    # wherever the case has one, and the negative cases that leave it out still expect a 401.
    if who == "staff" and "sessionid" in (case.cookies or {}):
        case.cookies["sessionid"] = request.getfixturevalue("session_cookie")["sessionid"]
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    assert response.status_code < 500
