#!/usr/bin/python3
# forkserver.py: the forkserver start method: children made by an early copy of the program,
# still the program's own children, with multiprocessing objects passed as arguments
# SPDX-License-Identifier: LGPL-2.1-or-later
import multiprocessing
import os

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess  # noqa: E402


def work(queue, n):
    queue.put((n, n * n, os.getppid() == PARENT))


PARENT = os.getpid()

if __name__ == '__main__':
    GProcess.set_start_method('forkserver')   # early: before threads, before the heap grows
    queue = multiprocessing.Queue()
    workers = [GProcess.Process(target=work, args=(queue, n)) for n in range(4)]
    for w in workers:
        w.start()
    results = sorted(queue.get() for _ in workers)
    for w in workers:
        w.join()
    print('results:', [r[1] for r in results])
    print('children of this program:', all(r[2] for r in results))
    print('exit codes:', [w.exitcode for w in workers])
