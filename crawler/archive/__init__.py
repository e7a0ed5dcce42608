"""WARC capture: record builders, the rotating file writer and the downloader middleware."""
