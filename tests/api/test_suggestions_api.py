import pytest

from tests.suggestions.helpers import assigned

pytestmark = pytest.mark.django_db


def test_it_shows_a_unit_only_its_assignments_and_hides_confidential_identities(cast, client_for):
    suggestion, _, _ = assigned(cast, confidential=True, co=False)
    unit = client_for(cast.unit_user).get("/api/v1/suggestions").json()["items"]
    assert [s["code"] for s in unit] == [suggestion.code]
    assert unit[0]["lead_deputy"] is None
    staff = client_for(cast.staff).get(f"/api/v1/suggestions/{suggestion.code}").json()
    assert staff["lead_deputy"] == cast.deputy.name
    assert client_for(cast.unit_b_user).get(f"/api/v1/suggestions/{suggestion.code}").status_code == 404
    assert client_for(cast.outsider).get(f"/api/v1/suggestions/{suggestion.code}").status_code == 404
