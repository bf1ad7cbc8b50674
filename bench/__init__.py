"""Benchmarks: `make bench` runs bench/pages.py (see docs/benchmarks.md)."""
