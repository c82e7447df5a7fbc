# process.py: the multiprocessing mimicry (multiprocessing/process.py)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What multiprocessing expects of a process object and of its module, each message and
rule tied to the CPython 3.11 function it copies: P = multiprocessing/process.py,
F = popen_fork.py, U = util.py."""

import collections
import errno
import os

from gi.repository import GLib

from . import _cpython, lib

EXIT_CODE_NONE = lib.EXIT_CODE_NONE
State = lib.State
Error = lib.Error
Operation = lib.Operation
ERROR_DOMAIN = GLib.quark_to_string(lib.error_quark())


def raise_for(error, action, os_errno=None):
    """Turns a GProcess GLib.Error into multiprocessing's exception for ``action`` ('start',
    'join', 'test', 'close', 'terminate', 'kill', 'configure', 'read', 'result', 'stop' or
    'usage'). Call it right after the failed call, in its thread: an operating system
    failure's errno is read then."""
    if error.domain == ERROR_DOMAIN and error.code == Error.FAILED:
        if os_errno is None:
            os_errno = lib.get_last_errno()
        if os_errno:
            # An operating system failure: OSError(errno, ...) is its subclass
            # (BlockingIOError...)
            raise OSError(os_errno, error.message) from None
    if error.domain == ERROR_DOMAIN:
        code = error.code
        if action in ('result', 'usage') and code in (Error.NOT_STARTED, Error.STILL_RUNNING):
            raise ValueError('process has not ended: join() it first') from None
        if code == Error.NOT_STARTED and action == 'stop':
            raise AssertionError('can only stop a started process') from None
        if code == Error.CLOSED:
            # P:BaseProcess._check_closed
            raise ValueError('process object is closed') from None
        if code == Error.ALREADY_STARTED:
            if action == 'configure':
                # P:BaseProcess.daemon (setter)
                raise AssertionError('process has already started') from None
            # P:BaseProcess.start
            raise AssertionError('cannot start a process twice') from None
        if code == Error.DAEMONIC:
            # P:BaseProcess.start
            raise AssertionError('daemonic processes are not allowed to have children') from None
        if code == Error.NOT_CHILD or code == Error.JOIN_SELF:
            if action == 'start':
                # P:BaseProcess.start
                raise AssertionError(
                    'can only start a process object created by current process') from None
            # P:BaseProcess.join ('join'), P:BaseProcess.is_alive ('test')
            raise AssertionError('can only %s a child process' % action) from None
        if code == Error.NOT_STARTED:
            if action in ('terminate', 'kill'):
                # P:BaseProcess.terminate, P:BaseProcess.kill: self._popen.terminate() with
                # _popen None
                raise AttributeError("'NoneType' object has no attribute '%s'" % action) \
                    from None
            # P:BaseProcess.join
            raise AssertionError('can only join a started process') from None
        if code == Error.STILL_RUNNING:
            # P:BaseProcess.close
            raise ValueError("Cannot close a process while it is still running. "
                             "You should first call join() or terminate().") from None
    raise OSError(errno.EIO, error.message) from None


def check(process, operation, action):
    """Raises multiprocessing's exception when the library refuses ``operation`` (a
    GProcess.Operation) for ``process`` (g_process_object_check())."""
    try:
        lib.Object.check(process, operation)
    except GLib.Error as e:
        raise_for(e, action)


_adopted_in = None  # the pid in which adopt() last ran


def adopt():
    """Lets an imported multiprocessing see GProcess's processes (idempotent per process).

    Returns multiprocessing's process module, or None when multiprocessing is not imported.
    """
    global _adopted_in
    mpp = _cpython.mp_process()
    if mpp is None or _adopted_in == os.getpid():
        return mpp
    _adopted_in = os.getpid()
    # multiprocessing.util is what the child needs (after-fork hooks, finalizers, logging);
    # import it now, in the parent, rather than in every child.
    _cpython.mp_util()
    if lib.get_parent() is None:
        # The main process: one authentication key for both
        _cpython.main_authkey(mpp, bytes(lib.Object.get_authkey(lib.get_current()).get_data()))
    else:
        _cpython.adopt_current(mpp, lib.get_current(), lib.get_parent())
    _cpython.children(mpp).update(lib.get_active_children())
    return mpp


def forget(process):
    """A child whose end was seen (or that was closed) leaves multiprocessing's children set
    (P:BaseProcess.join, P:BaseProcess.is_alive, P:BaseProcess.close)."""
    mpp = _cpython.mp_process()
    if mpp is not None:
        _cpython.children(mpp).discard(process)


def remember(process):
    mpp = _cpython.mp_process()
    if mpp is not None:
        _cpython.children(mpp).add(process)                # P:BaseProcess.start


class Popen:
    """What multiprocessing reads of a started child's ``_popen`` (F:Popen): used by
    ``multiprocessing.active_children()`` (P:_cleanup) and ``util._exit_function``. Made on
    each read of ``Object._popen``, so a started object stores nothing more."""

    __slots__ = ('_process',)
    method = 'fork'

    def __init__(self, process):
        self._process = process

    @property
    def pid(self):
        return lib.Object.get_pid(self._process)

    @property
    def sentinel(self):
        return lib.Object.get_sentinel(self._process)

    @property
    def returncode(self):
        code = lib.Object.get_exit_code(self._process)
        return None if code == EXIT_CODE_NONE else code

    def poll(self, flag=os.WNOHANG):
        # F:Popen.poll (reading the exit code polls)
        if flag != os.WNOHANG:
            self._process.join()
        return self.returncode

    def wait(self, timeout=None):
        # F:Popen.wait
        self._process.join(timeout)
        return self.returncode

    def terminate(self):
        lib.Object.terminate(self._process)                 # F:Popen.terminate

    def kill(self):
        lib.Object.kill(self._process)                      # F:Popen.kill

    def close(self):
        pass


def popen(process):
    """multiprocessing's handle on a started child (P:BaseProcess._popen): None before
    start, after close, and for the current process."""
    if lib.Object.get_state(process) not in (State.STARTED, State.STOPPED) or \
            lib.Object.get_parent_pid(process) != os.getpid():
        return None
    return Popen(process)


def config(process):
    """multiprocessing's per-process settings (P:BaseProcess._config): authkey, daemon,
    semprefix, tempdir..."""
    config = process.__dict__.get('_mp_config')
    if config is None:
        # P:BaseProcess.__init__ copies the creator's; made on first use here, it has the
        # settings multiprocessing reads (a child makes its own tempdir, and removes it)
        config = process.__dict__['_mp_config'] = {'semprefix': '/mp'}
    mpp = _cpython.mp_process()
    key = lib.Object.get_authkey(process)
    if key is not None:
        key = bytes(key.get_data())
        config['authkey'] = _cpython.authentication_string(mpp, key) if mpp is not None \
            else key
    if lib.Object.get_daemon(process):
        config['daemon'] = True
    else:
        config.pop('daemon', None)
    return config


class ParentProcess:
    """``multiprocessing.parent_process()`` in a GProcess child (P:_ParentProcess): stands for
    ``GProcess.parent_process()``, which is made on first use (making it in every child would
    cost ~65 us each)."""

    __slots__ = ()

    def __getattr__(self, attribute):
        return getattr(lib.get_parent(), attribute)

    def __setattr__(self, attribute, value):
        setattr(lib.get_parent(), attribute, value)

    def __eq__(self, other):
        return lib.get_parent() == other

    def __hash__(self):
        return hash(lib.get_parent())

    def __repr__(self):
        return repr(lib.get_parent())


parent_process_proxy = ParentProcess()


def current_process():
    """Return process object representing the current process."""
    return lib.get_current()


def parent_process():
    """Return process object representing the parent process (None in the main process)."""
    return lib.get_parent()


def active_children():
    """Return list of process objects corresponding to live child processes (ended ones are
    reaped first)."""
    return list(lib.get_active_children())


def exit_function():
    """As U:_exit_function for GProcess's children, while the interpreter is still whole: the
    library's own exit rule (terminate the daemonic children, join the others)."""
    lib.end_children()


Usage = collections.namedtuple('Usage', ['user_time', 'system_time', 'max_rss'])
Usage.__module__ = 'gi.repository.GProcess'
Usage.__doc__ = """Resources an ended child used (Process.usage): CPU time in user and
system mode in seconds (floats), and the largest resident set size in bytes (an int)."""


def usage(process):
    """Process.usage: a Usage once the child has ended; ValueError before, as result."""
    ok, user_us, system_us, max_rss = lib.Object.get_usage(process)
    if not ok:
        state = lib.Object.get_state(process)
        if state == State.CLOSED:
            raise ValueError('process object is closed')
        if state in (State.INITIAL, State.STARTED):
            raise ValueError('process has not ended: join() it first')
        return None  # ended, but the kernel gave no figures (a child of another process)
    return Usage(user_us / 1e6, system_us / 1e6, max_rss)
