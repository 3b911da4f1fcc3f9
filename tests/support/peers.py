"""Which process is at the other end of a loopback TCP connection (Linux, from /proc).

The test server uses it to record the process id of the client behind each request, so a
test can see which worker process sent a call without the client saying so.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")


def _socket_inode(local_port: int, remote_port: int) -> str | None:
    """The inode of the socket from `local_port` to `remote_port` on this machine (IPv4 or IPv6)."""
    for table in ("net/tcp", "net/tcp6"):
        try:
            lines = (PROC / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_address, remote_address, inode = fields[1], fields[2], fields[9]
            ports = (int(local_address.rsplit(":", 1)[1], 16), int(remote_address.rsplit(":", 1)[1], 16))
            if ports == (local_port, remote_port) and inode != "0":
                return inode
    return None


def pid_of_client(port: int, server_port: int) -> int | None:
    """The id of the process holding the TCP socket from `port` to `server_port`; None when it
    cannot be told (the socket is gone, or /proc hides the process)."""
    inode = _socket_inode(port, server_port)
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
