"""Cron messages: CRUD through GraphQL, typed refusals, owner scoping, and firing each tick once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schema.models import AuditLog, CronJob, Message
from schema.services.cron_jobs import fire_due
from schema.services.runtime import Runtime, build_runtime
from schema.settings import Settings
from tests.helpers import GraphQLClient, code_and_field, unique

JOB_FIELDS = (
    "id name taskId templateId expression timezone payload enabled nextRunAt lastRunAt createdAt"
    " lastOutcome lastError lastMessageId"
)
CREATE = f"mutation($i: CreateCronJobInput!) {{ createCronJob(input: $i) {{ {JOB_FIELDS} }} }}"
UPDATE = (
    f"mutation($id: Int!, $i: UpdateCronJobInput!) {{ updateCronJob(id: $id, input: $i) {{ {JOB_FIELDS} }} }}"
)
DELETE = "mutation($id: Int!) { deleteCronJob(id: $id) { id } }"
RUN_NOW = "mutation($id: Int!) { runCronJobNow(id: $id) { messageId deliveryCount } }"
GET = f"query($id: Int!) {{ cronJob(id: $id) {{ {JOB_FIELDS} }} }}"
LIST = "query($a: String) { cronJobs(first: 100, after: $a) { totalCount nodes { id name } pageInfo { hasNextPage endCursor } } }"


@pytest.fixture(scope="module")
def runtime(settings: Settings) -> Runtime:
    return build_runtime(settings)


@pytest.fixture(scope="module", autouse=True)
async def switch_jobs_off_afterwards() -> AsyncIterator[None]:
    """The session's server keeps firing enabled jobs after this module; other modules count
    messages, so the jobs made here must not go on sending in the background."""
    yield
    await CronJob.all().update(enabled=False)


async def webhook_task(client: GraphQLClient, enabled: bool = True) -> tuple[int, str]:
    """A webhook channel and a task bound to it; returns the task's id and name."""
    channel = await client.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique("hook"), "type": "webhook", "config": {"url": "https://hooks.example.com/x"}}},
    )
    name = unique("cron-task")
    task = await client.call(
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
        {
            "i": {
                "name": name,
                "enabled": enabled,
                "bindings": [{"channelId": channel["createChannel"]["id"]}],
            }
        },
    )
    return int(task["createTask"]["id"]), name


async def webhook_template(client: GraphQLClient) -> int:
    channel = await client.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique("hook"), "type": "webhook", "config": {"url": "https://hooks.example.com/x"}}},
    )
    template = await client.call(
        "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }",
        {
            "i": {
                "name": unique("cron-tpl"),
                "textBody": "{{service}} is up",
                "placeholders": [{"key": "service"}],
                "bindings": [{"channelId": channel["createChannel"]["id"]}],
            }
        },
    )
    return int(template["createTemplate"]["id"])


async def new_job(client: GraphQLClient, task_id: int, **extra: Any) -> dict[str, Any]:
    data = {
        "name": unique("job"),
        "taskId": task_id,
        "expression": "*/5 * * * *",
        "payload": {"title": "Report", "text": "hello from cron"},
        **extra,
    }
    job: dict[str, Any] = (await client.call(CREATE, {"i": data}))["createCronJob"]
    return job


def when(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_create_update_list_delete(admin: GraphQLClient) -> None:
    task_id, _ = await webhook_task(admin)
    before = datetime.now(UTC)
    job = await new_job(admin, task_id, expression="0 9 * * 1-5", timezone="Asia/Shanghai")
    assert job["taskId"] == task_id and job["templateId"] is None
    assert job["payload"] == {"title": "Report", "text": "hello from cron"}
    assert job["enabled"] is True and job["lastRunAt"] is None
    next_at = when(job["nextRunAt"])
    assert before < next_at <= before + timedelta(days=4)
    assert (next_at.hour, next_at.minute) == (1, 0)  # 09:00 in Shanghai
    assert await AuditLog.filter(action="cron.create", object_id=str(job["id"])).exists()

    fetched = (await admin.call(GET, {"id": job["id"]}))["cronJob"]
    assert fetched == job

    updated = (
        await admin.call(UPDATE, {"id": job["id"], "i": {"expression": "30 8 * * *", "timezone": "UTC"}})
    )["updateCronJob"]
    assert updated["expression"] == "30 8 * * *" and updated["name"] == job["name"]
    assert updated["payload"] == job["payload"]
    assert (when(updated["nextRunAt"]).hour, when(updated["nextRunAt"]).minute) == (8, 30)

    disabled = (await admin.call(UPDATE, {"id": job["id"], "i": {"enabled": False}}))["updateCronJob"]
    assert disabled["enabled"] is False and disabled["nextRunAt"] is None
    enabled = (await admin.call(UPDATE, {"id": job["id"], "i": {"enabled": True}}))["updateCronJob"]
    assert when(enabled["nextRunAt"]) > datetime.now(UTC)
    entry = await AuditLog.filter(action="cron.update", object_id=str(job["id"])).order_by("-id").first()
    assert entry is not None and entry.diff == {"enabled": [False, True]}

    listed = (await admin.call(LIST))["cronJobs"]
    assert job["id"] in [n["id"] for n in listed["nodes"]]

    assert (await admin.call(DELETE, {"id": job["id"]}))["deleteCronJob"] == {"id": job["id"]}
    assert not await CronJob.filter(id=job["id"]).exists()
    assert await AuditLog.filter(action="cron.delete", object_id=str(job["id"])).exists()
    error = await admin.fails(GET, {"id": job["id"]})
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_template_job_takes_variables_only(admin: GraphQLClient) -> None:
    template_id = await webhook_template(admin)
    data = {
        "name": unique("job"),
        "templateId": template_id,
        "expression": "0 * * * *",
        "payload": {"variables": {"service": "api"}},
    }
    job = (await admin.call(CREATE, {"i": data}))["createCronJob"]
    assert job["templateId"] == template_id and job["taskId"] is None
    assert job["payload"] == {"variables": {"service": "api"}}
    error = await admin.fails(CREATE, {"i": data | {"payload": {"text": "hi"}}})
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "payload.text"}


async def test_bad_input_is_refused_and_creates_nothing(admin: GraphQLClient, member: GraphQLClient) -> None:
    task_id, _ = await webhook_task(admin)
    members_task, _ = await webhook_task(member)
    template_id = await webhook_template(admin)
    name = unique("bad")
    base = {"name": name, "taskId": task_id, "expression": "*/5 * * * *", "payload": {"text": "x"}}
    cases: list[tuple[dict[str, Any], str]] = [
        ({"expression": "* * * * * *"}, "expression"),
        ({"expression": "0 0 * * * * 2030"}, "expression"),
        ({"expression": "61 * * * *"}, "expression"),
        ({"expression": "not cron"}, "expression"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": "+02:00"}, "timezone"),
        ({"templateId": template_id}, "taskId"),  # both targets
        ({"taskId": None}, "taskId"),  # neither
        ({"taskId": members_task}, "taskId"),  # another user's task
        ({"taskId": 999_999_999}, "taskId"),
        ({"payload": {"text": "x", "colour": "red"}}, "payload.colour"),
        ({"payload": {"variables": {"a": 1}}}, "payload.variables"),
        ({"payload": {"title": "no body"}}, "payload"),
        ({"payload": ["x"]}, "payload"),
        ({"name": ""}, "name"),
    ]
    for change, field in cases:
        error = await admin.fails(CREATE, {"i": base | change})
        assert code_and_field(error) == {"code": "BAD_INPUT", "field": field}, (change, error)
    error = await member.fails(CREATE, {"i": base | {"name": name, "taskId": task_id}})
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "taskId"}
    error = await admin.fails(
        CREATE, {"i": {"name": name, "templateId": 999_999_999, "expression": "* * * * *"}}
    )
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "templateId"}
    assert not await CronJob.filter(name=name).exists()

    job = await new_job(admin, task_id)
    error = await admin.fails(UPDATE, {"id": job["id"], "i": {"timezone": "Nowhere/Else"}})
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "timezone"}
    error = await admin.fails(UPDATE, {"id": job["id"], "i": {"templateId": template_id}})
    assert code_and_field(error) == {
        "code": "BAD_INPUT",
        "field": "payload.text",
    }  # task payload, template job
    assert (await CronJob.get(id=job["id"])).timezone == "UTC"


async def test_members_cannot_see_or_touch_another_users_job(
    admin: GraphQLClient, member: GraphQLClient
) -> None:
    task_id, _ = await webhook_task(admin)
    job = await new_job(admin, task_id)
    for query, variables in [
        (GET, {"id": job["id"]}),
        (UPDATE, {"id": job["id"], "i": {"name": "mine now"}}),
        (DELETE, {"id": job["id"]}),
        (RUN_NOW, {"id": job["id"]}),
    ]:
        error = await member.fails(query, variables)
        assert error["extensions"]["code"] == "NOT_FOUND", (query, error)
    listed = (await member.call(LIST))["cronJobs"]
    assert job["id"] not in [n["id"] for n in listed["nodes"]]
    row = await CronJob.get(id=job["id"])
    assert row.name == job["name"]

    own_task, _ = await webhook_task(member)
    own = await new_job(member, own_task)
    assert [n["id"] for n in (await member.call(LIST))["cronJobs"]["nodes"]] == [own["id"]]
    # An admin sees and edits every user's jobs.
    assert (await admin.call(GET, {"id": own["id"]}))["cronJob"]["id"] == own["id"]


async def test_run_now_sends_without_changing_the_schedule(admin: GraphQLClient) -> None:
    task_id, task_name = await webhook_task(admin)
    job = await new_job(admin, task_id)
    assert (job["lastRunAt"], job["lastOutcome"], job["lastMessageId"]) == (None, None, None)
    result = (await admin.call(RUN_NOW, {"id": job["id"]}))["runCronJobNow"]
    assert result["deliveryCount"] == 1
    message = await Message.get(id=result["messageId"])
    assert message.task_id == task_id and message.source_name == task_name
    assert message.text == "hello from cron" and message.idempotency_key is None
    after = (await admin.call(GET, {"id": job["id"]}))["cronJob"]
    assert after["nextRunAt"] == job["nextRunAt"]
    # The run is the job's last run: when, what it did, and the message it made.
    assert after["lastRunAt"] is not None and after["lastOutcome"] == "sent"
    assert after["lastMessageId"] == result["messageId"] and after["lastError"] is None


async def test_a_refused_run_now_says_why_on_the_job(admin: GraphQLClient) -> None:
    task_id, task_name = await webhook_task(admin)
    job = await new_job(admin, task_id)
    await admin.call(
        "mutation($id: Int!) { updateTask(id: $id, input: {enabled: false}) { id } }", {"id": task_id}
    )
    error = await admin.fails(RUN_NOW, {"id": job["id"]})
    assert error["extensions"]["code"] == "BAD_INPUT"
    after = (await admin.call(GET, {"id": job["id"]}))["cronJob"]
    assert after["lastOutcome"] == "refused" and task_name in after["lastError"]
    assert after["lastMessageId"] is None and after["lastRunAt"] is not None


async def test_concurrent_fire_due_sends_each_tick_once(admin: GraphQLClient, runtime: Runtime) -> None:
    task_id, task_name = await webhook_task(admin)
    job = await new_job(admin, task_id)
    # Missed ticks during downtime: three hours of */5 ticks come out as one send.
    tick = (datetime.now(UTC) - timedelta(hours=3)).replace(second=0, microsecond=0)
    await CronJob.filter(id=job["id"]).update(next_run_at=tick)

    await asyncio.gather(fire_due(runtime), fire_due(runtime))

    # The session server's own cron loop (every second) may be the one that took the tick and
    # still be sending it: wait for the send, then check there is exactly one.
    for _ in range(250):
        if await Message.filter(task_id=task_id).exists():
            break
        await asyncio.sleep(0.02)
    messages = await Message.filter(task_id=task_id)
    assert len(messages) == 1
    message = messages[0]
    assert message.source_name == task_name
    assert message.idempotency_key == f"cron:{job['id']}:{int(tick.timestamp())}"
    assert message.title == "Report" and message.text == "hello from cron"
    row = await CronJob.get(id=job["id"])
    now = datetime.now(UTC)
    assert row.next_run_at is not None and now < row.next_run_at <= now + timedelta(minutes=5)
    assert row.last_run_at is not None and row.last_run_at > tick

    # Nothing is due any more: another round sends nothing for this job.
    await fire_due(runtime)
    assert await Message.filter(task_id=task_id).count() == 1


async def test_a_crash_and_retry_of_the_same_tick_sends_once(admin: GraphQLClient, runtime: Runtime) -> None:
    task_id, _ = await webhook_task(admin)
    job = await new_job(admin, task_id)
    tick = (datetime.now(UTC) - timedelta(minutes=1)).replace(second=0, microsecond=0)
    await CronJob.filter(id=job["id"]).update(next_run_at=tick)
    await fire_due(runtime)
    # A worker that sent and then died before its claim stuck looks like the tick being due again.
    await CronJob.filter(id=job["id"]).update(next_run_at=tick)
    await fire_due(runtime)
    assert await Message.filter(task_id=task_id).count() == 1


async def test_a_refused_send_is_logged_and_the_job_keeps_its_schedule(
    admin: GraphQLClient, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    task_id, task_name = await webhook_task(admin)
    good_task, _ = await webhook_task(admin)
    job = await new_job(admin, task_id)
    good = await new_job(admin, good_task)
    await admin.call(
        "mutation($id: Int!) { updateTask(id: $id, input: {enabled: false}) { id } }", {"id": task_id}
    )
    past = datetime.now(UTC) - timedelta(minutes=10)
    await CronJob.filter(id__in=[job["id"], good["id"]]).update(next_run_at=past)

    with caplog.at_level(logging.WARNING, logger="pushnest.cron"):
        await fire_due(runtime)

    # The session server's own cron loop (every second) may have taken the good job's tick and be
    # sending it still: wait for that send.
    for _ in range(250):
        if await Message.filter(task_id=good_task).exists():
            break
        await asyncio.sleep(0.02)
    assert not await Message.filter(task_id=task_id).exists()
    assert await Message.filter(task_id=good_task).count() == 1  # the other job still went out
    assert any(task_name in r.getMessage() and r.name == "pushnest.cron" for r in caplog.records)
    row = await CronJob.get(id=job["id"])
    assert row.enabled and row.next_run_at is not None and row.next_run_at > datetime.now(UTC)
    assert row.last_outcome == "refused" and "disabled" in row.last_error
    sent = await CronJob.get(id=good["id"])
    message = await Message.get(task_id=good_task)
    assert (sent.last_outcome, sent.last_message_id, sent.last_error) == ("sent", message.id, "")


async def test_descriptors_are_taken_as_message_nest_took_them(admin: GraphQLClient) -> None:
    """`@every 2h` runs two hours after the previous run; `@daily` at midnight in the job's zone."""
    task_id, _ = await webhook_task(admin)
    before = datetime.now(UTC)
    every = await new_job(admin, task_id, expression="@every 2h")
    assert every["expression"] == "@every 2h"
    assert before + timedelta(hours=2) - timedelta(seconds=1) <= when(every["nextRunAt"])
    assert when(every["nextRunAt"]) <= datetime.now(UTC) + timedelta(hours=2)
    daily = await new_job(admin, task_id, expression="@DAILY", timezone="Asia/Shanghai")
    assert daily["expression"] == "@daily"
    assert (when(daily["nextRunAt"]).hour, when(daily["nextRunAt"]).minute) == (16, 0)  # 00:00 +08:00
    error = await admin.fails(
        CREATE, {"i": {"name": unique("job"), "taskId": task_id, "expression": "@every 10s"}}
    )
    assert error["extensions"]["code"] == "BAD_INPUT" and error["extensions"]["field"] == "expression"
