"""Scrapy crawler and web archiver for news aggregator sites."""

__version__ = "0.1.0"
