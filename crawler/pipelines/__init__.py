"""Item pipelines: audit (schema and timestamp counters), then JSONL output."""
