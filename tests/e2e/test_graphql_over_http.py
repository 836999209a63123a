"""GraphQL over HTTP: `application/graphql-response+json` with its status codes when a client asks
for it, the legacy `application/json` answers unchanged otherwise, and a mutation over GET is 405.

The official audit (graphql-http) runs against a served PushNest in the console's browser tests
(frontend/e2e/graphql-http.spec.ts); these pin the behaviours it checks, in the Python suite.
"""

from __future__ import annotations

import pytest

from server.graphql_media import wants_graphql_response
from tests.helpers import GraphQLClient

RESPONSE_JSON = "application/graphql-response+json"
ASK = {"Accept": f"{RESPONSE_JSON}, application/json;q=0.9"}


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ me { id ", {}),
        ("{ nope }", {}),
        ("query($n: Int!) { message(id: $n) { id } }", {"n": "not a number"}),
    ],
    ids=["parse", "validation", "variable-coercion"],
)
async def test_request_errors_are_400_without_data_when_asked(
    anonymous: GraphQLClient, query: str, variables: dict[str, object]
) -> None:
    asked = await anonymous.http.post("/graphql", json={"query": query, "variables": variables}, headers=ASK)
    assert asked.status_code == 400, asked.text
    assert asked.headers["content-type"].startswith(RESPONSE_JSON)
    body = asked.json()
    assert "data" not in body and body["errors"][0]["extensions"]["code"] == "BAD_INPUT"

    legacy = await anonymous.http.post("/graphql", json={"query": query, "variables": variables})
    assert legacy.status_code == 200 and legacy.headers["content-type"] == "application/json"
    assert legacy.json()["data"] is None


async def test_field_errors_keep_data_and_200(anonymous: GraphQLClient) -> None:
    response = await anonymous.http.post("/graphql", json={"query": "{ me { id } }"}, headers=ASK)
    assert response.status_code == 200 and response.headers["content-type"].startswith(RESPONSE_JSON)
    body = response.json()
    assert "data" in body and body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_success_is_answered_in_the_media_type_asked_for(anonymous: GraphQLClient) -> None:
    response = await anonymous.http.get("/graphql", params={"query": "{ __typename }"}, headers=ASK)
    assert response.status_code == 200 and response.headers["content-type"].startswith(RESPONSE_JSON)
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_a_mutation_over_get_is_405_allowing_post(anonymous: GraphQLClient) -> None:
    response = await anonymous.http.get("/graphql", params={"query": "mutation { logout }"})
    assert response.status_code == 405 and response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_INPUT"


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [
        (None, False),
        ("application/json", False),
        ("*/*", False),
        (RESPONSE_JSON, True),
        (f"application/json, {RESPONSE_JSON}", True),
        (f"{RESPONSE_JSON};q=0.5, application/json", False),
        (f"{RESPONSE_JSON};q=0", False),
        (f"{RESPONSE_JSON};q=oops, application/json;q=0.1", False),
    ],
)
def test_accept_negotiation(accept: str | None, wanted: bool) -> None:
    assert wants_graphql_response(accept) is wanted
