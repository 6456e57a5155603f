import pytest

from worker.backoff import backoff_delay_s


def test_delay_grows_exponentially_until_the_cap():
    delays = [backoff_delay_s(n, base_s=0.5, cap_s=4.0, jitter=0.999) for n in range(6)]
    assert delays == pytest.approx([0.4995, 0.999, 1.998, 3.996, 3.996, 3.996])


def test_jitter_scales_the_delay_down():
    assert backoff_delay_s(3, base_s=1.0, cap_s=100.0, jitter=0.0) == 0.0
    assert backoff_delay_s(3, base_s=1.0, cap_s=100.0, jitter=0.5) == 4.0


def test_a_very_long_outage_does_not_overflow():
    assert backoff_delay_s(10_000, base_s=0.5, cap_s=30.0, jitter=0.5) == 15.0


@pytest.mark.parametrize(("attempt", "jitter"), [(-1, 0.5), (0, 1.0), (0, -0.1)])
def test_bad_arguments_are_refused(attempt: int, jitter: float):
    with pytest.raises(ValueError):
        backoff_delay_s(attempt, base_s=1.0, cap_s=2.0, jitter=jitter)
