#!/usr/bin/python3
# hello_bob.py: seed 000's example, with GProcess in place of processing/multiprocessing
# SPDX-License-Identifier: LGPL-2.1-or-later
import gi
gi.require_version('GProcess', '1.0')
from gi.repository.GProcess import Process  # noqa: E402


def f(name):
    print('Hello', name)


if __name__ == '__main__':
    p = Process(target=f, args=['Bob'])
    p.start()
    p.join()
