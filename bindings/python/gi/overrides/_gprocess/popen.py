# popen.py: start() and the one way into the child (multiprocessing/popen_fork.py,
# popen_forkserver.py)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""``start()``, and the child's life: ``bootstrap()`` lives it as ``BaseProcess._bootstrap``
does and never returns. A fork child enters it from ``fork_hook()`` (the library's fork), a
fork-server child from ``forkserver_entry()`` (the run vfunc of Python process classes),
once its pickled state is restored. P = multiprocessing/process.py, F = popen_fork.py."""

import errno
import os
import sys
import traceback

from gi.repository import GLib

from . import _cpython, forkserver, lib, process, results, util

# What the child's path uses, bound here once: each module or function object the child
# touches costs it a page copy (tests/performance/test_faults.py)
_process_exit = lib.exit
_StartMethod = lib.StartMethod
_starting = util.starting
_close_stdin = util.close_stdin
_flush_std_streams = util.flush_std_streams
_mp_process = _cpython.mp_process
_set_native_thread_id = _cpython.set_native_thread_id
_join_threads = _cpython.join_threads
_set_outcome = results.set_outcome
_check_stdin = util.check_stdin
_start = lib.Object.start
_started_in = None  # the pid of the last process that started a child (Python or C, any method)


def _note_started():
    global _started_in
    _started_in = os.getpid()


def start(self):
    """Start child process: forks a child that runs ``run()`` and ends with its exit code.

    Fails with ``AssertionError`` when started twice, by another process than the creator,
    or from a daemonic process; ``ValueError`` when closed; ``NotTransferableError`` (a
    ``ValueError`` and a ``pickle.PicklingError``) when the fork server cannot have what the
    child needs; an ``OSError`` (as ``os.fork()`` raised it: ``BlockingIOError`` for EAGAIN)
    when the fork fails."""
    mpp = _mp_process()
    if mpp is None and util.logging_configured():
        # logging's %(processName)s asks multiprocessing.current_process()
        import multiprocessing  # noqa: F401
        mpp = _cpython.mp_process()
    if mpp is not None:
        process.adopt()
    _check_stdin()
    _flush_std_streams()                                            # F:Popen.__init__
    if forkserver.used and lib.Object.get_start_method(self) == _StartMethod.FORKSERVER:
        # Refusals first (closed, started twice...), as P:BaseProcess.start checks them
        process.check(self, process.Operation.START, 'start')
        forkserver.prepare(self)
    _starting.process = self
    _note_started()
    try:
        _start(self)
    except GLib.Error as e:
        error = _starting.error
        if error is not None:
            _starting.error = None
            raise error from None
        if e.domain == process.ERROR_DOMAIN and e.code == process.Error.NOT_TRANSFERABLE:
            raise results.NotTransferableError(
                "cannot start %r with the fork server: its class %s did not exist when "
                "the server started; define it before the first start with 'forkserver' "
                "(or before GProcess.start_fork_server())" % (self, type(self).__qualname__)) \
                from None
        process.raise_for(e, 'start')
    finally:
        _starting.process = None
    # Avoid a reference cycle if the target holds the process object (P:BaseProcess.start,
    # bpo-30775)
    self._target = None
    self._args = ()
    self._kwargs = {}
    self._gi_target = None
    if mpp is not None:
        process.remember(self)


def fork_hook(*_user_data):
    """The library's fork(), set at import time by the override. Called by
    g_process_object_start() with no GProcess lock held. It must never raise: PyGObject would
    print the exception and return 0, which reads as "the child". A failure is kept for
    start() to raise as it was."""
    _note_started()  # also for children started by C code
    if _starting.server:
        forkserver.snapshot()   # what the server about to be forked will have
    try:
        pid = os.fork()
    except BaseException as e:  # OSError (BlockingIOError for EAGAIN), KeyboardInterrupt...
        _starting.error = e
        return -((e.errno if isinstance(e, OSError) else None) or errno.EINTR)
    if pid == 0:
        if _starting.server:
            # The fork server (forkserver.start_server()): the library serves requests here
            return 0
        # The C side of the child is already set up (pthread_atfork): the current process is
        # the object being started. Live its life from here; never return into C.
        proc = _starting.process
        bootstrap(proc if proc is not None else lib.get_current())
    return pid


def forkserver_entry(self):
    """The run vfunc of Python process classes: in a fork-server child, the child's life;
    elsewhere (C code calling g_process_object_run()), ``run()``."""
    forkserver.rebuilding = False
    if not forkserver.in_server_child or forkserver.entered or lib.get_current() != self:
        return self.run()
    forkserver.entered = True   # once: a later call of the vfunc is a plain run()
    try:
        try:
            from multiprocessing import reduction
            forkserver.inherited_fds = tuple(lib.Object.get_fds(self) or ())
            args = lib.Object.get_args(self)
            state = {} if args is None else \
                reduction.ForkingPickler.loads(args.get_data_as_bytes().get_data())
            self.__dict__.update(state)
        except BaseException:
            util.die(lib.Object.get_name(self))
        bootstrap(self)
    finally:
        os._exit(1)   # neither returns; if they failed to end the child, it fails


forkserver_entry._gprocess_entry = True


def bootstrap(proc):
    """The child's life, as P:BaseProcess._bootstrap (with F:Popen._launch's os._exit)."""
    exitcode = 1
    util_module = None
    outcome = False
    try:
        try:
            mpp = _mp_process()
            if mpp is not None:
                util_module = _cpython.mp_util()  # imported by process.adopt()
            _close_stdin()                                  # P:_bootstrap, U:_close_stdin
            if mpp is not None:
                old_process = _cpython.child_reset(mpp, proc, process.parent_process_proxy)
            _set_native_thread_id()
            if mpp is not None:
                try:
                    _cpython.after_fork(util_module)
                finally:
                    del old_process
                util_module.info('child process calling self.run()')  # P:_bootstrap
            try:
                value = proc.run()
                exitcode = 0
                if value is not None:
                    outcome = _set_outcome('python-value', value)
            finally:
                if util_module is not None:
                    _cpython.exit_function(util_module, mpp)     # P:_bootstrap
        except SystemExit as e:                             # P:_bootstrap
            if e.code is None:
                exitcode = 0
            elif isinstance(e.code, int):
                exitcode = e.code
            else:
                sys.stderr.write(str(e.code) + '\n')
                exitcode = 1
        except:  # noqa: E722 -- P:_bootstrap: a bare except, KeyboardInterrupt too
            exitcode = 1
            sys.stderr.write('Process %s:\n' % lib.Object.get_name(proc))
            traceback.print_exc()
            outcome = results.set_outcome_exception()
        finally:
            _join_threads()
            if util_module is not None:
                util_module.info('process exiting with exitcode %d' % exitcode)  # P:_bootstrap
            _flush_std_streams()                            # P:_bootstrap
    except BaseException:
        # A failure around run() (joining threads, the reporting itself...): never silent,
        # never 0
        exitcode = 1
        try:
            sys.__stderr__.write('Process %s:\n' % lib.Object.get_name(proc))
            traceback.print_exc(file=sys.__stderr__)
            sys.__stderr__.flush()
        except BaseException:
            pass
    finally:
        # F:Popen._launch: os._exit(code), of which only the low 8 bits survive. When this
        # process has started children, or has a result to send, the library's exit first
        # ends the children by its rule (terminates the daemonic ones, joins the others) and
        # sends the result. Like multiprocessing's child, neither flushes C stdio buffers.
        try:
            if outcome or _started_in == os.getpid():
                _process_exit(int(exitcode) & 0xff)
            os._exit(int(exitcode) & 0xff)
        finally:
            os._exit(1)
