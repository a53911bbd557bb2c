"""Benchmarks: the service measured against bare workflows on the same Temporal server.

Run them all with ``make bench`` (or ``python -m bench``), one with
``python -m bench --only NAME``. They are never collected by pytest and assert
nothing about time; BENCHMARKS.md explains the figures.
"""
