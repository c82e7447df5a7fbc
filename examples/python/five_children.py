#!/usr/bin/python3
# five_children.py: seed 003's "whoami": a direct call, one joined child, five unjoined children.
# The lock is an fcntl lock on a temporary file (GProcess does not use multiprocessing.Lock).
# SPDX-License-Identifier: LGPL-2.1-or-later
import contextlib
import fcntl
import os
import tempfile

import gi
gi.require_version('GProcess', '1.0')
from gi.repository.GProcess import Process, current_process  # noqa: E402


@contextlib.contextmanager
def locked(fd):
    fcntl.lockf(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.lockf(fd, fcntl.LOCK_UN)


def whoami(label, lock):
    msg = '%s: name:%s, pid:%s'
    with locked(lock):
        print(msg % (label, current_process().name, os.getpid()), flush=True)


if __name__ == '__main__':
    lock = tempfile.TemporaryFile()
    whoami('function call', lock)
    p = Process(target=whoami, args=('spawned child', lock))
    p.start()
    p.join()
    for i in range(5):
        Process(target=whoami, args=(('run process %s' % i), lock)).start()
    with locked(lock):
        print('Main process exit.', flush=True)
