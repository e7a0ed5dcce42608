"""State shared by the runs of one archives root: the SQLite store and what reads it.

``store`` holds the tables; ``fetches`` records each archived response, ``payloads`` makes
revisits work across runs, ``incremental`` decides what a run need not fetch again,
``sightings`` turns items into observations and narrowed publication windows, and
``frontier`` journals a ``JOBDIR`` run's requests so a killed run resumes.
"""
