"""Benchmark of the worker against the stock camunda client worker and the engine's ceiling.

Run `python -m bench.run --help`; see bench/README.md.
"""
