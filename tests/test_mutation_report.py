"""`python3 -m bench.mutation` reads mutmut's results into a per-module table."""

from __future__ import annotations

from bench.mutation import parse_results, report

RESULTS = """\
    worker.sms.action.x_deliver__mutmut_1: killed
    worker.sms.action.x_deliver__mutmut_2: survived
    worker.sms.action.x_deliver__mutmut_3: timeout
    worker.runtime.lease.xǁTaskLeaseǁrecord__mutmut_4: killed
    worker.runtime.lease.xǁTaskLeaseǁrecord__mutmut_5: no tests
"""


def test_results_are_read_per_mutant():
    assert parse_results(RESULTS) == {
        "worker.sms.action.x_deliver__mutmut_1": "killed",
        "worker.sms.action.x_deliver__mutmut_2": "survived",
        "worker.sms.action.x_deliver__mutmut_3": "timeout",
        "worker.runtime.lease.xǁTaskLeaseǁrecord__mutmut_4": "killed",
        "worker.runtime.lease.xǁTaskLeaseǁrecord__mutmut_5": "no tests",
    }


def test_the_table_counts_each_module_and_timeouts_count_as_killed():
    table, surviving = report(parse_results(RESULTS))
    assert "| worker.sms.action | 1 | 1 | 1 | 0 | 0 | 33.3% |" in table
    assert "| worker.runtime.lease | 1 | 0 | 0 | 1 | 0 | 0.0% |" in table
    assert "- worker.sms.action.x_deliver__mutmut_2: survived" in table
    assert surviving == 1 / 4
