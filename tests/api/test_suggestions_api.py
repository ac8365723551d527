import pytest

from tests.queries import assert_flat_queries
from tests.suggestions.helpers import BYSTANDERS, assigned, private_and_submitted

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


def test_it_keeps_deputies_drafts_out_of_everyone_elses_api_answers(cast, client_for):
    mine, cosigning, sent = private_and_submitted(cast)
    for name in BYSTANDERS:
        client = client_for(getattr(cast, name))
        codes = {s["code"] for s in client.get("/api/v1/suggestions").json()["items"]}
        assert sent.code in codes and not codes & {mine.code, cosigning.code}, name
        for state in ("draft", "cosigning"):
            assert client.get(f"/api/v1/suggestions?state={state}").json()["items"] == [], name
        for s in (mine, cosigning):
            assert client.get(f"/api/v1/suggestions/{s.code}").status_code == 404, name
    lead = client_for(cast.deputy_user)
    assert {s["code"] for s in lead.get("/api/v1/suggestions").json()["items"]} == {
        mine.code,
        cosigning.code,
        sent.code,
    }
    assert lead.get(f"/api/v1/suggestions/{mine.code}").json()["state"] == "draft"


@pytest.mark.parametrize("who", ["staff", "unit_user", "deputy_user"])
def test_it_lists_suggestions_without_a_query_per_suggestion(cast, client_for, who):
    def grow(first, n):
        for i in range(first, first + n):
            assigned(cast, title=f"建议{i}", co=False, confidential=i % 2 == 0)

    grow(0, 3)
    response = assert_flat_queries(client_for(getattr(cast, who)), "/api/v1/suggestions", grow=lambda: grow(3, 12))
    items = {s["title"]: s for s in response.json()["items"]}
    assert len(items) == 15 and items["建议13"]["lead_deputy"] == cast.deputy.name
    assert items["建议14"]["lead_deputy"] == (None if who == "unit_user" else cast.deputy.name)  # confidential
