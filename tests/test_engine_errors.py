"""The engine edge's translation of answers into typed errors, on the answers Camunda 7.24 gives
(recorded by tests/engine/test_engine_answers.py, which checks them on the real engine)."""

from __future__ import annotations

import pytest

from worker.engine.client import engine_error
from worker.errors import EngineError, EngineUnreachable, LockLost, LostRace, TaskGone

LOCKED_BY_OTHER = (
    "RestException: External Task 79de7cea cannot be completed by worker 'A'. "
    "It is locked by worker 'B'."
)
EXPIRED = (
    "RestException: Cannot extend a lock that expired: lockExpirationTime is not greater "
    "than or equal to 1796167964086"
)
UNSUPPORTED = "RestException: Unsupported value type 'Nope'"


@pytest.mark.parametrize("says", [LOCKED_BY_OTHER, EXPIRED], ids=["locked", "expired"])
def test_a_400_saying_the_lock_is_not_ours_is_lock_lost(says: str):
    error = engine_error("complete", 400, says)
    assert isinstance(error, LockLost)
    assert str(error) == f"complete: HTTP 400 ({says})"


@pytest.mark.parametrize("says", [UNSUPPORTED, "InvalidRequestException: Cannot convert", ""])
def test_any_other_400_is_a_refusal(says: str):
    error = engine_error("complete", 400, says)
    assert type(error) is EngineError
    assert error.status == 400


def test_a_lock_message_with_another_status_is_not_lock_lost():
    assert type(engine_error("complete", 500, LOCKED_BY_OTHER)) is EngineError


def test_404_is_task_gone_and_no_answer_is_unreachable():
    assert isinstance(engine_error("complete", 404, "RestException: does not exist"), TaskGone)
    assert isinstance(engine_error("complete", None), EngineUnreachable)


def test_a_long_lock_message_is_recognised_in_full_and_shortened_in_the_error():
    says = (
        "RestException: External Task x cannot be completed by worker '"
        + "w" * 400
        + ("'. It is locked by worker 'B'.")
    )
    error = engine_error("complete", 400, says)
    assert isinstance(error, LockLost)
    assert len(str(error)) < 400


@pytest.mark.parametrize("status", [400, 500])
def test_optimistic_locking_means_another_node_got_there_first(status: int):
    says = (
        "OptimisticLockingException: ENGINE-03005 Execution of 'UPDATE ExternalTaskEntity"
        "[abc]' failed. Entity was updated by another transaction concurrently."
    )
    error = engine_error("complete", status, says)
    assert isinstance(error, LostRace)
    # Still a task no longer ours, for every caller that handles those.
    assert isinstance(error, LockLost)
