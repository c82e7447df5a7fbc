# GProcess.py: PyGObject override making GProcess.Object a drop-in for multiprocessing.Process
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""GProcess for Python.

``GProcess.Object`` (alias ``GProcess.Process``) behaves like ``multiprocessing.Process``
with the fork start method, and stays a GObject: ``notify::state``, ``connect``,
``join_async`` with a GLib main loop all work.

    from gi.repository import GProcess
    p = GProcess.Process(target=print, args=("Hello", "Bob"))
    p.start()
    p.join()

Two things are done for Python that C does not need: the fork itself is Python's
``os.fork()`` (so that the interpreter's locks, the GIL among them, are reset in the child
even when other threads run), and the child's ``run()`` is wrapped as multiprocessing does
(exceptions print a traceback and give exit code 1, ``sys.exit(n)`` gives n, stdout and
stderr are flushed before the child leaves with ``_exit``).
"""

import atexit
import errno
import math
import os
import select
import signal
import sys
import threading
import traceback
import types

from gi.repository import GLib

from ..module import get_introspection_module
from ..overrides import override

GProcess = get_introspection_module('GProcess')

__all__ = ['Object', 'Process', 'current_process', 'parent_process', 'active_children']

_EXIT_CODE_NONE = GProcess.EXIT_CODE_NONE
_State = GProcess.State
_Error = GProcess.Error

# Set in a new child by the fork hook; consumed by the first run of that child.
_bootstrapping = False
# The object Object.start() is starting in this thread, for the fork hook
_starting = threading.local()

_exitcode_to_name = {}
for _name, _signum in list(signal.__dict__.items()):
    if _name[:3] == 'SIG' and '_' not in _name:
        _exitcode_to_name[-_signum] = f'-{_name}'
del _name, _signum


def _flush_std_streams():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError):
            pass


def _fork_hook(*_user_data):
    # Called by g_process_object_start() instead of fork(); must never raise (a raised
    # exception would read as "0", the child).
    global _bootstrapping
    try:
        _flush_std_streams()
        pid = os.fork()
    except OSError as e:
        return -(e.errno or errno.EAGAIN)
    except BaseException:
        return -errno.EINTR
    if pid == 0:
        _bootstrapping = True
        process = getattr(_starting, 'process', None)
        if process is not None:
            # The C side of the child is set up already (pthread_atfork): run the child's life
            # from here rather than back through C and a second callback, which would touch
            # (and copy) many more pages of the parent's memory.
            if isinstance(getattr(type(process), 'do_run', None), types.FunctionType):
                _child_main(process, lambda: type(process).do_run(process))
            _child_main(process, process.run)
    return pid


GProcess.set_fork_func(_fork_hook)


def _child_main(process, run):
    """The child's life after fork, as multiprocessing's BaseProcess._bootstrap."""
    global _bootstrapping
    _bootstrapping = False
    exitcode = 1
    try:
        try:
            # stdin: the C library has already made descriptor 0 /dev/null, so sys.stdin reads
            # end-of-file. multiprocessing also replaces the stream object; that costs ~80 page
            # copies (60 us) per child, a third of the round trip, so it is not done here.
            run()
            exitcode = 0
        except SystemExit as e:
            if e.code is None:
                exitcode = 0
            elif isinstance(e.code, int):
                exitcode = e.code
            else:
                sys.stderr.write(str(e.code) + '\n')
                exitcode = 1
        except:  # noqa: E722 -- as multiprocessing: KeyboardInterrupt too
            exitcode = 1
            sys.stderr.write('Process %s:\n' % process.get_name())
            traceback.print_exc()
        finally:
            # Waits for non-daemon threads the child started (multiprocessing does the same)
            if threading.active_count() > 1:
                try:
                    threading._shutdown()
                except BaseException:
                    pass
            _flush_std_streams()
    finally:
        # Terminates daemonic children, joins the others, flushes C stdio and _exit()s
        GProcess.exit(exitcode)


def _target_trampoline(process, *_user_data):
    # The C target of every Python-created object: the default run vfunc calls it.
    if _bootstrapping:
        _child_main(process, process.run)
    else:
        process.run()


def _raise_for(error, action):
    """Turns a GProcess GLib.Error into multiprocessing's exception."""
    if error.domain == GLib.quark_to_string(GProcess.error_quark()):
        code = error.code
        if code == _Error.CLOSED:
            raise ValueError('process object is closed') from None
        if code == _Error.ALREADY_STARTED:
            raise AssertionError('cannot start a process twice') from None
        if code == _Error.DAEMONIC:
            raise AssertionError('daemonic processes are not allowed to have children') from None
        if code == _Error.NOT_CHILD or code == _Error.JOIN_SELF:
            if action == 'start':
                raise AssertionError(
                    'can only start a process object created by current process') from None
            raise AssertionError('can only %s a child process' % action) from None
        if code == _Error.NOT_STARTED:
            raise AssertionError('can only join a started process') from None
        if code == _Error.STILL_RUNNING:
            raise ValueError("Cannot close a process while it is still running. "
                             "You should first call join() or terminate().") from None
    raise OSError(errno.EIO, error.message) from None


class Object(GProcess.Object):
    """A process object, like ``multiprocessing.Process``.

    ``Object(group=None, target=None, name=None, args=(), kwargs={}, *, daemon=None)``.
    Subclass it and override ``run()``, or pass a ``target``.
    """

    def __init__(self, group=None, target=None, name=None, args=(), kwargs={}, *,
                 daemon=None, **properties):
        assert group is None, 'group argument must be None for now'
        GProcess.Object.__init__(self, **properties)
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs)
        if name:
            self.name = name
        elif type(self) is not Object:
            # multiprocessing names subclasses after the class: MyProcess-3
            identity = GProcess.Object.get_name(self).rpartition('-')[2]
            GProcess.Object.set_name(self, '%s-%s' % (type(self).__name__, identity))
        if daemon is not None:
            self.daemon = daemon
        self.set_target(_target_trampoline)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A subclass overriding the do_run vfunc gets the same child life as run()
        do_run = cls.__dict__.get('do_run')
        if do_run is not None and not getattr(do_run, '_gprocess_wrapped', False):
            def wrapped(self, _do_run=do_run):
                if _bootstrapping:
                    _child_main(self, lambda: _do_run(self))
                else:
                    _do_run(self)
            wrapped._gprocess_wrapped = True
            wrapped.__name__ = 'do_run'
            wrapped.__doc__ = do_run.__doc__
            cls.do_run = wrapped

    # -- helpers --------------------------------------------------------------------------

    def _is_closed(self):
        return GProcess.Object.get_state(self) == _State.CLOSED

    def _check_closed(self):
        if self._is_closed():
            raise ValueError('process object is closed')

    def _is_current(self):
        return GProcess.get_current() == self

    def _started(self):
        return GProcess.Object.get_state(self) in (_State.STARTED, _State.STOPPED)

    # -- the activity ---------------------------------------------------------------------

    def run(self):
        """Method to be run in the child: calls the target, if any."""
        target = getattr(self, '_target', None)
        if target:
            target(*self._args, **self._kwargs)

    def start(self):
        """Starts the child: forks a process that runs ``run()``."""
        _starting.process = self
        try:
            GProcess.Object.start(self)
        except GLib.Error as e:
            _raise_for(e, 'start')
        finally:
            _starting.process = None
        # The parent no longer needs them (bpo-30775)
        self._target = None
        self._args = ()
        self._kwargs = {}

    def join(self, timeout=None):
        """Waits until the child ends or ``timeout`` seconds pass; returns None."""
        if timeout is None:
            timeout_us = -1
        else:
            timeout_us = max(0, int(timeout * 1e6))
        fd = GProcess.Object.get_sentinel(self)
        if fd >= 0 and timeout_us != 0:
            # Wait in Python, which runs signal handlers (Ctrl-C raises KeyboardInterrupt, as
            # in multiprocessing); then the C join only reaps. Without a timeout, waitid()
            # with WNOWAIT on the pidfd is a single call that does not reap.
            try:
                if timeout_us >= 0:
                    raise OSError
                os.waitid(os.P_PIDFD, fd, os.WEXITED | os.WNOWAIT)
            except (OSError, AttributeError):
                poller = select.poll()
                poller.register(fd, select.POLLIN)
                if not poller.poll(None if timeout_us < 0 else math.ceil(timeout_us / 1000)):
                    return None
            timeout_us = -1
        try:
            GProcess.Object.join(self, timeout_us, None)
        except GLib.Error as e:
            if e.matches(GLib.quark_from_string('g-io-error-quark'), 24):  # G_IO_ERROR_TIMED_OUT
                return None
            _raise_for(e, 'join')
        return None

    def is_alive(self):
        """Whether the child runs."""
        self._check_closed()
        if self._is_current():
            return True
        if self == GProcess.get_parent():
            return GProcess.Object.is_alive(self)
        assert self.get_parent_pid() == os.getpid(), 'can only test a child process'
        if not self._started():
            return False
        return GProcess.Object.is_alive(self)

    def terminate(self):
        """Sends SIGTERM to the child."""
        self._check_closed()
        if not self._started():
            raise AttributeError("'NoneType' object has no attribute 'terminate'")
        GProcess.Object.terminate(self)

    def kill(self):
        """Sends SIGKILL to the child."""
        self._check_closed()
        if not self._started():
            raise AttributeError("'NoneType' object has no attribute 'kill'")
        GProcess.Object.kill(self)

    def close(self):
        """Releases the object's resources; fails while the child runs."""
        try:
            GProcess.Object.close(self)
        except GLib.Error as e:
            _raise_for(e, 'close')

    # -- attributes -----------------------------------------------------------------------

    @property
    def name(self):
        return GProcess.Object.get_name(self)

    @name.setter
    def name(self, name):
        assert isinstance(name, str), 'name must be a string'
        GProcess.Object.set_name(self, name)

    @property
    def daemon(self):
        return GProcess.Object.get_daemon(self)

    @daemon.setter
    def daemon(self, daemonic):
        assert not self._started(), 'process has already started'
        GProcess.Object.set_daemon(self, bool(daemonic))

    @property
    def authkey(self):
        key = GProcess.Object.get_authkey(self)
        if key is None:
            raise KeyError('authkey')
        return bytes(key.get_data())

    @authkey.setter
    def authkey(self, authkey):
        GProcess.Object.set_authkey(self, GLib.Bytes.new(bytes(authkey)))

    @property
    def exitcode(self):
        self._check_closed()
        code = GProcess.Object.get_exit_code(self)
        return None if code == _EXIT_CODE_NONE else code

    @property
    def ident(self):
        self._check_closed()
        if self._is_current():
            return os.getpid()
        pid = GProcess.Object.get_pid(self)
        return pid if pid != 0 else None

    pid = ident

    @property
    def sentinel(self):
        self._check_closed()
        fd = GProcess.Object.get_sentinel(self)
        if fd < 0:
            raise ValueError('process not started') from None
        return fd

    def __repr__(self):
        exitcode = None
        if self._is_current():
            status = 'started'
        elif self._is_closed():
            status = 'closed'
        elif self.get_parent_pid() != os.getpid():
            status = 'unknown'
        elif GProcess.Object.get_state(self) == _State.INITIAL:
            status = 'initial'
        else:
            code = GProcess.Object.get_exit_code(self)
            if code != _EXIT_CODE_NONE:
                status = 'stopped'
                exitcode = code
            else:
                status = 'started'

        is_main = self._is_current() and GProcess.get_parent() is None
        info = ['_MainProcess' if is_main else type(self).__name__, 'name=%r' % self.name]
        pid = GProcess.Object.get_pid(self)
        if pid and not self._is_current() and status != 'closed':
            info.append('pid=%s' % pid)
        parent = self.get_parent_pid()
        info.append('parent=%s' % (parent if parent else None))
        info.append(status)
        if exitcode is not None:
            info.append('exitcode=%s' % _exitcode_to_name.get(exitcode, exitcode))
        if self.daemon:
            info.append('daemon')
        return '<%s>' % ' '.join(info)


Object = override(Object)
# Shown as multiprocessing shows it: <Process name='Process-1' ...>
Object.__name__ = Object.__qualname__ = 'Process'
Process = Object


def current_process():
    """The process object of the current process."""
    return GProcess.get_current()


def parent_process():
    """The process object of the parent, or None in the main process."""
    return GProcess.get_parent()


def active_children():
    """The running children of the current process (ended ones are reaped first)."""
    return list(GProcess.get_active_children())


def _exit_function():
    # As multiprocessing's atexit handler: terminate daemonic children, join the others,
    # while the interpreter is still whole.
    for p in active_children():
        if p.daemon:
            GProcess.Object.terminate(p)
    for p in active_children():
        GProcess.Object.join(p, -1, None)


atexit.register(_exit_function)
