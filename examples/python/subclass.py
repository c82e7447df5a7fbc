#!/usr/bin/python3
# subclass.py: seed 004's MyProcess: a subclass overriding run() whose __init__ takes an argument
# SPDX-License-Identifier: LGPL-2.1-or-later
import sys

import gi
gi.require_version('GProcess', '1.0')
from gi.repository.GProcess import Process  # noqa: E402


class MyProcess(Process):
    def __init__(self, arg):
        super().__init__()
        self.arg = arg

    def run(self):
        # One write per line: ten children share the terminal
        sys.stdout.write('nMask %s\n' % self.arg)


if __name__ == '__main__':
    procs = [MyProcess(i) for i in range(10)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
