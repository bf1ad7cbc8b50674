"""A task runs under the id of the request that enqueued it.

The id travels beside the task, not inside its arguments: on enqueue it is
kept in the cache (Redis in production, shared by web and workers) under the
task's id; the worker binds it when the task starts and lets go when it ends.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.tasks.signals import task_enqueued, task_finished, task_started

from portal.lib.observability import context, metrics

KEY = "obs:task-request:{}"
KEEP_SECONDS = 7 * 24 * 3600  # longer than any task waits in a healthy queue

_bound: dict[str, object] = {}
task_log = logging.getLogger("suara.tasks")


def remember_request(sender, task_result, **kwargs) -> None:
    request_id = context.current()
    if request_id:
        cache.set(KEY.format(task_result.id), request_id, KEEP_SECONDS)


def bind_request(sender, task_result, **kwargs) -> None:
    request_id = cache.get(KEY.format(task_result.id)) or context.new_id()
    _bound[str(task_result.id)] = context.enter(request_id)
    task_log.info("task started %s", task_result.task.module_path, extra={"task_id": str(task_result.id)})


def release_request(sender, task_result, **kwargs) -> None:
    name = getattr(task_result.task, "name", "") or task_result.task.module_path.rsplit(".", 1)[-1]
    metrics.TASKS.labels(task=name, status=str(task_result.status).lower()).inc()
    task_log.info(
        "task finished %s %s", task_result.task.module_path, task_result.status, extra={"task_id": str(task_result.id)}
    )
    token = _bound.pop(str(task_result.id), None)
    if token is not None:
        context.leave(token)
    cache.delete(KEY.format(task_result.id))


def connect() -> None:
    task_enqueued.connect(remember_request, dispatch_uid="suara-obs-enqueued")
    task_started.connect(bind_request, dispatch_uid="suara-obs-started")
    task_finished.connect(release_request, dispatch_uid="suara-obs-finished")
