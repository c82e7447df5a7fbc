# parity_ctx.py: the forkserver context a parity program runs under, from its argument
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""``get()`` returns ``multiprocessing.get_context('forkserver')`` when the program's first
argument is ``multiprocessing``, ``GProcess.get_context('forkserver')`` when it is
``gprocess``. The programs use nothing else of GProcess: whatever they print must be the same
under both."""

import sys


def get():
    if sys.argv[1:2] == ['gprocess']:
        import gi
        gi.require_version('GProcess', '1.0')
        from gi.repository import GProcess
        return GProcess.get_context('forkserver')
    import multiprocessing
    return multiprocessing.get_context('forkserver')
