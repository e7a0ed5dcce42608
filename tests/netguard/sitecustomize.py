"""Put on PYTHONPATH for a child process: any network use there ends it with status 99.

An audit hook sees every socket connect and name lookup, whichever library makes them,
so a test can show a command opens no network connection.
"""

import os
import sys

BLOCKED = {"socket.connect", "socket.getaddrinfo", "socket.sendto", "socket.sendmsg"}
STATUS = 99


def _guard(event: str, args: tuple) -> None:
    if event in BLOCKED:
        os.write(2, f"network use blocked: {event} {args!r}\n".encode())
        os._exit(STATUS)


sys.addaudithook(_guard)
