"""The project's Scrapy commands (``COMMANDS_MODULE``): ``scrapy replay``, and
``scrapy crawl`` with cron-ready exit statuses and a summary line."""
