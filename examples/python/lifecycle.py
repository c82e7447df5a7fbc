#!/usr/bin/python3
# lifecycle.py: beyond multiprocessing: the target's result and exception in the parent,
# stop() with a grace period, resource usage
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import signal

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess  # noqa: E402


def total(numbers):
    return sum(numbers)


def fail():
    raise ValueError('no luck')


def stubborn(ready):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.write(ready, b'!')
    while True:
        signal.pause()


if __name__ == '__main__':
    p = GProcess.Process(target=total, args=(range(101),))
    p.start()
    p.join()
    print('result:', p.result, 'exit code:', p.exitcode)
    print('usage fields:', p.usage._fields)

    q = GProcess.Process(target=fail)
    q.start()   # its traceback is printed by the child, as multiprocessing's
    q.join()
    print('exception:', repr(q.exception), 'exit code:', q.exitcode)

    ready_r, ready_w = os.pipe()
    r = GProcess.Process(target=stubborn, args=(ready_w,), daemon=True)
    r.start()
    os.read(ready_r, 1)   # it ignores SIGTERM from now on
    r.stop(grace=0.5)   # SIGTERM is ignored: SIGKILL after half a second
    print('stopped, exit code:', r.exitcode)
