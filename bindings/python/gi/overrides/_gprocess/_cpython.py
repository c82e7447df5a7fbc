# _cpython.py: the one module that touches CPython's internals
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every use of a private name of CPython or its standard library (multiprocessing,
threading, ctypes' pythonapi) is here, each tied to the CPython 3.11 code it mirrors:
P = multiprocessing/process.py, U = multiprocessing/util.py, C = multiprocessing/context.py.
"""

import contextlib
import itertools
import sys
import threading

# pickle's PicklingError, without importing pickle (13 modules) in every program
from _pickle import PicklingError  # noqa: F401


def mp_process():
    """multiprocessing's process module if the program imported multiprocessing, else None."""
    return sys.modules.get('multiprocessing.process')


def mp_util():
    util = sys.modules.get('multiprocessing.util')
    if util is None:
        from multiprocessing import util
    return util


def main_authkey(mpp, key):
    # P:_MainProcess.__init__ makes multiprocessing's own; GProcess's is the one children
    # inherit
    mpp._current_process._config['authkey'] = mpp.AuthenticationString(key)


def authentication_string(mpp, key):
    return mpp.AuthenticationString(key)


def adopt_current(mpp, current, parent):
    """multiprocessing imported in a GProcess child, after its start: it learns who it is."""
    if mpp._current_process is not current:
        mpp._current_process = current
        mpp._parent_process = parent


def children(mpp):
    """multiprocessing's set of started children (P:_children)."""
    return mpp._children


def child_reset(mpp, process, parent):
    """In a new child, what P:_bootstrap resets; returns the old current process, to be
    dropped only after after_fork() ("delay finalization of the old process object until
    after _run_after_forkers() is executed")."""
    mpp._process_counter = itertools.count(1)
    if mpp._children:   # an empty one is already what the child needs
        mpp._children = set()
    old_process = mpp._current_process
    mpp._current_process = process
    mpp._parent_process = parent
    return old_process


def set_native_thread_id():
    if threading._HAVE_THREAD_NATIVE_ID:                        # P:_bootstrap
        threading.main_thread()._set_native_id()


def after_fork(util):
    """P:BaseProcess._after_fork, skipping what has nothing to do (each call and object the
    child touches costs it pages: tests/performance/test_faults.py)."""
    if util._finalizer_registry:
        util._finalizer_registry.clear()
    if util._afterfork_registry:
        util._run_after_forkers()


def exit_function(util, mpp):
    """U:_exit_function, called by P:_bootstrap, when it has something to do: finalizers to
    run, children to terminate or join, a logger to tell. Otherwise all it would do is set
    util._exiting in a process that is about to _exit()."""
    if util._finalizer_registry or mpp._children or util._logger is not None:
        util._exit_function()


def join_threads():
    """P:_bootstrap: wait for non-daemonic threads (alone, there is none to wait for, and the
    call would cost page copies)."""
    if threading.active_count() > 1:
        threading._shutdown()


@contextlib.contextmanager
def spawning_popen(popen):
    """C:set_spawning_popen, for the duration of a pickling: multiprocessing's objects ask it
    for the descriptors to pass."""
    from multiprocessing import context
    context.set_spawning_popen(popen)
    try:
        yield
    finally:
        context.set_spawning_popen(None)


def after_fork_child():
    """The interpreter's after-fork handling in a child made by C's fork() (the fork
    server's): PyOS_AfterFork_Child(), as os.fork() runs it."""
    import ctypes
    ctypes.pythonapi.PyOS_AfterFork_Child()


# ProcessPoolExecutor (pool.py, issue 18)

def register_atexit(func):
    """Runs func at exit before non-daemon threads are joined, as concurrent.futures does."""
    import threading
    threading._register_atexit(func)


def process_pool_map_helpers():
    """concurrent.futures.process's map helpers: (process_chunk, get_chunks,
    chain_from_iterable_of_lists)."""
    import concurrent.futures.process as cfp
    return cfp._process_chunk, cfp._get_chunks, cfp._chain_from_iterable_of_lists
