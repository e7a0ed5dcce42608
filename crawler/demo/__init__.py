"""A bundled sample aggregator site (Daily8-style) for demos and tests."""
