"""Benchmarks: `python -m benchmarks [--quick] [--json FILE]` (see RESULTS.md)."""
