"""``python -m tests.capture_crawl URL FILE``: crawl a site with requests, recorded by warcio.

warcio's ``capture_http`` swaps ``http.client``'s connection class when it is imported, so
it must come before requests (whose connections subclass that class): hence a process of
its own. Breadth-first over the site's links, on its host only, obeying robots.txt.
"""

from __future__ import annotations

import sys
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from parsel import Selector
from warcio.capture_http import capture_http


def crawl(start: str, warc: str) -> None:
    import requests  # after capture_http, so its connections are recorded

    host = urlsplit(start).netloc
    with capture_http(warc), requests.Session() as session:
        session.headers["Connection"] = "close"  # kept-alive, the sample server stalls
        robots = RobotFileParser()
        robots.parse(session.get(urljoin(start, "/robots.txt")).text.splitlines())
        queue, seen = [start], {start}
        while queue:
            url = queue.pop(0)
            response = session.get(url)
            if "html" not in response.headers.get("Content-Type", ""):
                continue
            for href in Selector(text=response.text).css("a::attr(href)").getall():
                link = urldefrag(urljoin(url, href))[0]
                if urlsplit(link).netloc == host and link not in seen:
                    seen.add(link)
                    if robots.can_fetch("*", link):
                        queue.append(link)


if __name__ == "__main__":
    crawl(*sys.argv[1:3])
