"""Item pipelines: audit (schema and timestamp counters), then JSONL output."""

from typing import Any

from itemadapter import ItemAdapter


def item_dict(item: Any) -> dict[str, Any]:
    """The item as a dict; a plain dict (what ``extract()`` returns) as is, not deep-copied."""
    return item if isinstance(item, dict) else ItemAdapter(item).asdict()
