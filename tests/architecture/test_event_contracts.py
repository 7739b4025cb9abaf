"""Published event types are contracts: architecture/events.json records them, and a change
that would break a consumer needs a new version."""

import json

import pytest

from blog_project import event_contracts

DOMAIN = "contexts/accounts/domain.py"
FIELDS = "    account_id: str\n    name: str\n"


def test_the_recorded_contracts_are_those_of_the_code():
    assert event_contracts.check() == []
    assert set(event_contracts.published()) >= {
        "accounts.AccountRegistered.v1",
        "accounts.AccountDeleted.v1",
        "blog.EntryRenderPending.v1",
    }


def test_each_contract_is_the_json_schema_of_the_event():
    schema = event_contracts.current()["accounts.AccountDeleted.v1"]["schema"]

    assert schema["properties"]["account_id"] == {"type": "string"}
    assert schema["properties"]["occurred_at"] == {"type": "string", "format": "date-time"}
    assert set(schema["required"]) == {"type", "event_id", "occurred_at", "account_id", "name"}


def test_contexts_json_carries_each_contexts_event_schemas(scratch):
    result = scratch.manage("contexts", "--json")

    rows = {row["context"]: row for row in json.loads(result.stdout)}
    assert {
        "accounts.AccountRegistered.v1",
        "accounts.AccountDeleted.v1",
    } <= set(rows["accounts"]["event_schemas"])
    assert rows["renderer"]["event_schemas"] == {}


def _change_account_deleted(scratch, fields: str) -> None:
    path = scratch.root / DOMAIN
    text = path.read_text()
    start = text.index('    type_name = "accounts.AccountDeleted.v1"')
    head, tail = text[:start], text[start:]
    assert FIELDS in tail
    path.write_text(head + tail.replace(FIELDS, fields, 1))


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ("    account_id: str\n", "field 'name' was removed"),
        ("    account_id: int\n    name: str\n", "field 'account_id' changed type"),
        (FIELDS + "    reason: str\n", "new field 'reason' is required"),
    ],
)
def test_an_incompatible_change_without_a_new_version_fails_and_cannot_be_recorded(
    scratch, fields, problem
):
    _change_account_deleted(scratch, fields)

    checked = scratch.manage("events", "schemas", "--check")
    written = scratch.manage("events", "schemas", "--write")

    assert checked.returncode != 0
    assert f"accounts.AccountDeleted.v1: {problem}" in checked.stderr
    assert written.returncode != 0
    assert problem in written.stderr
    recorded = json.loads((scratch.root / "architecture/events.json").read_text())
    assert "reason" not in recorded["accounts.AccountDeleted.v1"]["schema"]["properties"]


def test_an_optional_field_is_a_compatible_change_that_must_be_recorded(scratch):
    _change_account_deleted(scratch, FIELDS + '    reason: str = ""\n')

    stale = scratch.manage("events", "schemas", "--check")
    written = scratch.manage("events", "schemas", "--write")
    current = scratch.manage("events", "schemas", "--check")

    assert stale.returncode != 0
    assert "out of date" in stale.stderr
    assert written.returncode == 0, written.stderr
    assert current.returncode == 0, current.stderr


def test_a_type_that_disappears_is_reported():
    recorded = {"x.Gone.v1": {"producer": "x", "schema": {"properties": {}, "required": []}}}

    assert event_contracts.incompatibilities(recorded, {}) == [
        "x.Gone.v1 is no longer published; consumers may still expect it (if none does, "
        "remove it from architecture/events.json by hand)"
    ]
