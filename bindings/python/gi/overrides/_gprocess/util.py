# util.py: standard streams, logging, which process started children
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Small helpers as in ``multiprocessing.util`` (U:)."""

import os
import sys
import threading

def flush_std_streams():
    # U:_flush_std_streams
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError):
            pass


_stdin_checked = None     # the last sys.stdin start() looked at, in the parent
_stdin_on_fd0 = None      # that sys.stdin if it is on descriptor 0


def check_stdin():
    """In the parent (where reading the stream's pages copies nothing): is sys.stdin on
    descriptor 0?"""
    global _stdin_checked, _stdin_on_fd0
    stdin = sys.stdin
    if stdin is _stdin_checked:
        return
    _stdin_checked = stdin
    try:
        _stdin_on_fd0 = stdin if stdin is not None and stdin.fileno() == 0 else None
    except (OSError, ValueError, AttributeError):
        _stdin_on_fd0 = None


def close_stdin():
    """U:_close_stdin, except that a sys.stdin on descriptor 0 is kept: the library has
    already made descriptor 0 /dev/null in the child (reads give end-of-file), and replacing
    the stream object would cost ~60 us per child."""
    stdin = sys.stdin
    if stdin is None or stdin is _stdin_on_fd0:
        return
    try:
        stdin.close()
    except (OSError, ValueError):
        pass
    try:
        fd = os.open(os.devnull, os.O_RDONLY)
        try:
            sys.stdin = open(fd, encoding="utf-8", closefd=False)
        except:  # noqa: E722 -- as U:_close_stdin
            os.close(fd)
            raise
    except (OSError, ValueError):
        pass


def logging_configured():
    """Whether the program configured logging handlers (then %(processName)s asks
    multiprocessing.current_process(), so start() imports multiprocessing)."""
    logging = sys.modules.get('logging')
    if logging is None:
        return False
    if logging.root.handlers:
        return True
    return any(getattr(logger, 'handlers', None)
               for logger in list(logging.Logger.manager.loggerDict.values()))


# Between start() and the library's fork, in the thread that starts: .process, the object
# being started (a lookup the child need not make: reading GProcess.get_current() there copies
# ~16 pages of the parent); .error, what os.fork() raised, for start() to raise; .server,
# while the fork server itself is being forked. Class defaults: reading an unset one raises
# no AttributeError (whose making would cost the parent and the child a few pages).
class _Starting(threading.local):
    process = None
    error = None
    server = False


starting = _Starting()


def die(name):
    """A served child's failure outside run(): printed as multiprocessing's bootstrap prints
    one ("Process <name>:" and the traceback), then exit code 1. Never returns."""
    import traceback
    try:
        try:
            stderr = sys.stderr if sys.stderr is not None else sys.__stderr__
            stderr.write('Process %s:\n' % name)
            traceback.print_exc(file=stderr)
        finally:
            flush_std_streams()
    finally:
        os._exit(1)
