"""audit.diff: only changed fields, secrets masked."""

from __future__ import annotations

from schema.services.audit import MASK, diff


def test_unchanged_keys_omitted() -> None:
    assert diff({"a": 1, "b": "x"}, {"a": 1, "b": "x"}) == {}


def test_changed_shows_before_and_after() -> None:
    before = {"name": "old", "enabled": True, "same": 3}
    after = {"name": "new", "enabled": False, "same": 3}
    assert diff(before, after) == {"name": ["old", "new"], "enabled": [True, False]}


def test_added_and_removed_keys() -> None:
    assert diff({"gone": 1}, {"added": 2}) == {"added": [None, 2], "gone": [1, None]}


def test_secrets_masked() -> None:
    changes = diff({"token": "old-secret", "name": "a"}, {"token": "new-secret", "name": "b"}, ["token"])
    assert MASK == "********"
    assert changes == {"token": [MASK, MASK], "name": ["a", "b"]}
    assert "old-secret" not in repr(changes)
    assert "new-secret" not in repr(changes)


def test_secret_set_and_cleared_keeps_none() -> None:
    assert diff({"token": None}, {"token": "s3cret"}, secret_keys={"token"}) == {"token": [None, MASK]}
    assert diff({"token": "s3cret"}, {}, secret_keys=("token",)) == {"token": [MASK, None]}


def test_unchanged_secret_omitted() -> None:
    assert diff({"token": "s"}, {"token": "s"}, ["token"]) == {}
