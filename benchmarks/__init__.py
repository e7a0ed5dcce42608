"""Benchmarks: commands that print ratios against a baseline measured in the same run.

``make bench`` (``python -m benchmarks``) runs every benchmark and prints one table:
name, ours, baseline, ratio, target, and the number of paired runs behind the medians.
"""
