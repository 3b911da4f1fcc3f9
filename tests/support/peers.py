"""Which process is at the other end of a loopback TCP connection (Linux, from /proc).

The test server uses it to record the process id of the client behind each request, so a
test can see which worker process sent a call without the client saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def _socket_inode(local_port: int) -> str | None:
    """The inode of the socket bound to `local_port` on this machine (IPv4 or IPv6)."""
    for table in ("net/tcp", "net/tcp6"):
        try:
            lines = (PROC / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_address, inode = fields[1], fields[9]
            if int(local_address.rsplit(":", 1)[1], 16) == local_port and inode != "0":
                return inode
    return None


def pid_of_client(port: int) -> int | None:
    """The id of the process holding the TCP socket whose local port is `port`; None when it
    cannot be told (the socket is gone, or /proc hides the process)."""
    inode = _socket_inode(port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            descriptors = os.listdir(entry / "fd")
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                if os.readlink(entry / "fd" / descriptor) == target:
                    return int(entry.name)
            except OSError:
                continue
    return None
