#!/usr/bin/python3
# pids.py: seed 004's first example: the child prints its pid and its parent's
# SPDX-License-Identifier: LGPL-2.1-or-later
import os

import gi
gi.require_version('GProcess', '1.0')
from gi.repository.GProcess import Process  # noqa: E402


def test(name):
    print('Process ID: %s' % os.getpid())
    print('Parent Process ID: %s' % os.getppid())


if __name__ == '__main__':
    print('Main process ID: %s' % os.getpid())
    proc = Process(target=test, args=('nmask',))
    proc.start()
    proc.join()
