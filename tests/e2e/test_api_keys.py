"""API keys: shown once, stored hashed, scoped, revocable, accepted as a Bearer credential."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schema.crypto import hash_api_key
from schema.models import ApiKey, AuditLog
from tests.helpers import GraphQLClient, code_and_field, unique

CREATE_KEY = """mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) {
  key apiKey { id name prefix scope taskId templateId revokedAt } } }"""
REVOKE = "mutation($id: Int!) { revokeApiKey(id: $id) { id revokedAt } }"
CREATE_TASK = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"
TASK = "query($id: Int!) { task(id: $id) { id name } }"


async def new_task(client: GraphQLClient) -> int:
    return int((await client.call(CREATE_TASK, {"i": {"name": unique("task")}}))["createTask"]["id"])


async def test_key_is_shown_once_and_stored_only_as_a_hash(admin: GraphQLClient) -> None:
    made = (await admin.call(CREATE_KEY, {"i": {"name": unique("k"), "scope": "ALL"}}))["createApiKey"]
    key = made["key"]
    assert key.startswith("pn_") and len(key) > 40
    assert made["apiKey"]["prefix"] == key[:10]
    row = await ApiKey.get(id=made["apiKey"]["id"])
    assert row.key_hash == hash_api_key(key) and key not in row.key_hash
    listed = await admin.call("{ apiKeys(first: 100) { nodes { id prefix } } }")
    assert key not in str(listed)
    audit = await AuditLog.get(action="api_key.create", object_id=str(row.id))
    assert key not in str(audit.diff)


async def test_task_scoped_key_reads_its_task_only(admin: GraphQLClient) -> None:
    task_id, other_id = await new_task(admin), await new_task(admin)
    made = await admin.call(CREATE_KEY, {"i": {"name": unique("k"), "scope": "TASK", "taskId": task_id}})
    service = admin.as_(made["createApiKey"]["key"])
    assert (await service.call(TASK, {"id": task_id}))["task"]["id"] == task_id
    error = await service.fails(TASK, {"id": other_id})
    assert error["extensions"]["code"] == "NOT_FOUND"
    # A key is for sending, not for running the console.
    for query in ("{ me { username } }", "{ channels { totalCount } }", "{ apiKeys { totalCount } }"):
        error = await service.fails(query)
        assert error["extensions"]["code"] == "FORBIDDEN", query
    error = await service.fails(CREATE_TASK, {"i": {"name": unique("t")}})
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_revoked_key_stops_working_at_once(admin: GraphQLClient) -> None:
    task_id = await new_task(admin)
    made = (await admin.call(CREATE_KEY, {"i": {"name": unique("k"), "scope": "ALL"}}))["createApiKey"]
    service = admin.as_(made["key"])
    assert (await service.call(TASK, {"id": task_id}))["task"]["id"] == task_id
    revoked = await admin.call(REVOKE, {"id": made["apiKey"]["id"]})
    assert revoked["revokeApiKey"]["revokedAt"] is not None
    error = await service.fails(TASK, {"id": task_id})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await admin.fails(REVOKE, {"id": made["apiKey"]["id"]})
    assert error["extensions"]["code"] == "CONFLICT"


async def test_bad_key_requests_are_refused(admin: GraphQLClient, member: GraphQLClient) -> None:
    task_id = await new_task(admin)
    before = await ApiKey.all().count()
    cases = [
        ({"name": unique("k"), "scope": "TASK"}, "taskId"),
        ({"name": unique("k"), "scope": "TASK", "taskId": 999_999}, "taskId"),
        ({"name": unique("k"), "scope": "TEMPLATE", "taskId": task_id}, "templateId"),
        ({"name": unique("k"), "scope": "ALL", "taskId": task_id}, "scope"),
        ({"name": "", "scope": "ALL"}, "name"),
    ]
    for data, field in cases:
        error = await admin.fails(CREATE_KEY, {"i": data})
        assert code_and_field(error) == {"code": "BAD_INPUT", "field": field}, data
    # A member cannot make a key for the admin's task, nor revoke the admin's key.
    error = await member.fails(CREATE_KEY, {"i": {"name": unique("k"), "scope": "TASK", "taskId": task_id}})
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "taskId"}
    assert await ApiKey.all().count() == before
    made = (await admin.call(CREATE_KEY, {"i": {"name": unique("k"), "scope": "ALL"}}))["createApiKey"]
    error = await member.fails(REVOKE, {"id": made["apiKey"]["id"]})
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await ApiKey.get(id=made["apiKey"]["id"])).revoked_at is None


async def test_unknown_key_is_unauthenticated(admin: GraphQLClient) -> None:
    error = await admin.as_("pn_" + "x" * 43).fails("{ channelTypes { key } }")
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


KEYS = "{ apiKeys(first: 100) { nodes { id ownerId ownerUsername expiresAt } } }"
ME = "{ me { username } }"


async def test_keys_show_their_owner_to_admins_and_members(
    admin: GraphQLClient, member: GraphQLClient
) -> None:
    made = await member.call(CREATE_KEY, {"i": {"name": unique("k"), "scope": "ALL"}})
    key_id = made["createApiKey"]["apiKey"]["id"]
    username = (await member.call(ME))["me"]["username"]
    for viewer in (admin, member):
        listed = {n["id"]: n for n in (await viewer.call(KEYS))["apiKeys"]["nodes"]}
        assert listed[key_id]["ownerUsername"] == username
    revoked = await member.call(
        "mutation($id: Int!) { revokeApiKey(id: $id) { ownerUsername } }", {"id": key_id}
    )
    assert revoked["revokeApiKey"]["ownerUsername"] == username


async def test_a_key_with_an_expiry_stops_working_when_it_passes(admin: GraphQLClient) -> None:
    task_id = await new_task(admin)
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    made = await admin.call(
        CREATE_KEY, {"i": {"name": unique("k"), "scope": "TASK", "taskId": task_id, "expiresAt": soon}}
    )
    key_id = made["createApiKey"]["apiKey"]["id"]
    service = admin.as_(made["createApiKey"]["key"])
    listed = {n["id"]: n for n in (await admin.call(KEYS))["apiKeys"]["nodes"]}
    assert datetime.fromisoformat(listed[key_id]["expiresAt"]) == datetime.fromisoformat(soon)
    assert (await service.call(TASK, {"id": task_id}))["task"]["id"] == task_id
    await ApiKey.filter(id=key_id).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    # The row was edited behind the server's back, where its caller cache cannot see it (it would
    # for up to its TTL); any change to keys made through PushNest clears that cache, so make one.
    other = await admin.call(CREATE_KEY, {"i": {"name": unique("k"), "scope": "TASK", "taskId": task_id}})
    await admin.call(REVOKE, {"id": other["createApiKey"]["apiKey"]["id"]})
    error = await service.fails(TASK, {"id": task_id})
    assert error["extensions"]["code"] == "UNAUTHENTICATED" and error["extensions"]["reason"] == "expired"


async def test_an_expiry_in_the_past_is_refused(admin: GraphQLClient) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    error = await admin.fails(CREATE_KEY, {"i": {"name": unique("k"), "scope": "ALL", "expiresAt": past}})
    assert error["extensions"]["code"] == "BAD_INPUT" and error["extensions"]["field"] == "expiresAt"
