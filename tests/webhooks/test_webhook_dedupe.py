"""RecentTokens: a retried webhook (same I-Twilio-Idempotency-Token) is handled once per
process, also when the retry arrives while the first attempt is still running."""

from __future__ import annotations

import threading

from worker.webhooks.dedupe import MAX_TOKEN_CHARS, RecentTokens


def _tokens(capacity: int = 100) -> RecentTokens[int]:
    # Answers below 500 are final, as for HTTP answers.
    return RecentTokens(lambda answer: answer < 500, capacity)


def test_a_token_is_handled_once_and_its_answer_given_again():
    tokens, runs = _tokens(), []
    assert tokens.handle("t1", lambda: runs.append(1) or 200) == (200, False)
    assert tokens.handle("t1", lambda: runs.append(2) or 201) == (200, True)
    assert runs == [1]


def test_an_answer_that_asks_for_a_retry_is_not_kept():
    tokens = _tokens()
    assert tokens.handle("t1", lambda: 503) == (503, False)
    assert tokens.handle("t1", lambda: 200) == (200, False)
    assert tokens.handle("t1", lambda: 201) == (200, True)


def test_without_a_usable_token_every_request_is_handled():
    tokens, runs = _tokens(), []
    for token in (None, "", "x" * (MAX_TOKEN_CHARS + 1)):
        tokens.handle(token, lambda: runs.append(1) or 200)
        tokens.handle(token, lambda: runs.append(1) or 200)
    assert len(runs) == 6
    assert len(tokens) == 0


def test_a_retry_during_the_first_attempt_waits_for_its_answer():
    tokens = _tokens()
    inside, release = threading.Event(), threading.Event()
    runs: list[int] = []

    def slow() -> int:
        runs.append(1)
        inside.set()
        assert release.wait(30)
        return 200

    first = threading.Thread(target=lambda: tokens.handle("t", slow))
    first.start()
    assert inside.wait(30)
    answers: list[tuple[int, bool]] = []
    second = threading.Thread(target=lambda: answers.append(tokens.handle("t", lambda: 999)))
    second.start()
    release.set()
    first.join(30)
    second.join(30)
    assert answers == [(200, True)]
    assert runs == [1]


def test_memory_is_bounded_and_the_least_recently_used_token_goes_first():
    tokens = _tokens(capacity=2)
    tokens.handle("a", lambda: 200)
    tokens.handle("b", lambda: 200)
    tokens.handle("a", lambda: 200)  # a is now the most recent
    tokens.handle("c", lambda: 200)  # evicts b
    assert len(tokens) == 2
    assert tokens.handle("a", lambda: 201) == (200, True)
    assert tokens.handle("b", lambda: 201) == (201, False)
