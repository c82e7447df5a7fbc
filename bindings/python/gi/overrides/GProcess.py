# GProcess.py: PyGObject override making GProcess.Object a drop-in for multiprocessing.Process
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""GProcess for Python: ``GProcess.Object`` (alias ``GProcess.Process``) behaves like
``multiprocessing.Process`` and stays a GObject (``notify::state``, ``join_async``...).

    p = GProcess.Process(target=print, args=("Hello", "Bob")); p.start(); p.join()

``GProcess.get_context()`` is a ``multiprocessing`` context whose processes are GProcess
objects (for ``multiprocessing.Pool(context=...)``, ``ProcessPoolExecutor(mp_context=...)``).

This file is the GObject sugar: the class, its constructor keywords and properties,
``join(timeout)``, GError to exceptions, ``create_source()``, and the import-time hooks. The
multiprocessing side lives in the private package ``_gprocess`` beside it (its docstring
gives the layout). Nothing imports ``multiprocessing`` unless the program does, or calls
``get_context()``, or has ``logging`` handlers at ``start()`` (for ``%(processName)s``).
"""

import atexit
import os
import select
import types

from gi.repository import GLib

from ..overrides import override
from ._gprocess import context as _context
from ._gprocess import forkserver as _forkserver
from ._gprocess import lib as GProcess
from ._gprocess import popen as _popen
from ._gprocess import process as _process
from ._gprocess import results as _results
from ._gprocess.context import (get_all_start_methods, get_context, get_start_method,  # noqa: F401
                                set_start_method, start_fork_server)
from ._gprocess.process import (Usage, active_children, current_process,  # noqa: F401
                                parent_process)
from ._gprocess.results import NotTransferableError, RemoteTraceback  # noqa: F401

__all__ = ['Object', 'Process', 'current_process', 'parent_process', 'active_children',
           'get_context', 'Usage', 'RemoteTraceback', 'get_start_method', 'set_start_method',
           'get_all_start_methods', 'start_fork_server', 'ForkProcess', 'ForkServerProcess',
           'NotTransferableError']

_Operation = GProcess.Operation
_IO_ERROR_TIMED_OUT = 24  # G_IO_ERROR_TIMED_OUT
_raise_for = _process.raise_for
_check = _process.check
_exit_function = _process.exit_function


def _configurable(name, convert, doc):
    # A property that can only change before start() (BaseProcess.daemon's setter)
    def setter(self, value):
        _check(self, _Operation.CONFIGURE, 'configure')
        getattr(GProcess.Object, 'set_' + name)(self, convert(value))
    return property(getattr(GProcess.Object, 'get_' + name), setter, doc=doc)


class _ProcessSource(GLib.Source):
    """The source of ``Object.create_source()``: its callback receives the process."""

    def set_callback(self, fn, *user_data):
        GProcess.source_set_callback(self, fn, *user_data)


class Object(GProcess.Object):
    """Process objects represent activity that is run in a separate process.

    ``Process(group=None, target=None, name=None, args=(), kwargs={}, *, daemon=None)``,
    as ``multiprocessing.Process`` with the fork start method (the class is analogous to
    ``threading.Thread``). Subclass it and override ``run()`` (or the GObject ``do_run``
    vfunc), or pass a ``target``. ``start()`` forks a child that runs ``run()`` and ends
    as multiprocessing's child does.

    The object is also a GObject (``GProcessObject``): its ``state`` property notifies,
    ``join_async()`` works with a GLib main loop.
    """

    # Defaults for objects made by GI constructors (Object.new()), which skip __init__
    _target = None
    _args = ()
    _kwargs = {}
    _gi_target = None
    _start_method = None     # multiprocessing's BaseProcess._start_method

    def __new__(cls, *args, **kwargs):
        # Under the 'forkserver' default, a plain Process is of a Python class: its GType
        # exists in the fork server, and its run vfunc enters Python there
        if cls is Object and _forkserver.used and _context.default_is_forkserver():
            cls = _context.process_classes['server']
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs):
        # Every Python process class gets the run vfunc that a fork-server child enters by
        # (unless it implements do_run itself, GObject style)
        super().__init_subclass__(**kwargs)
        if 'do_run' not in cls.__dict__:
            cls.do_run = _popen.forkserver_entry
        init = cls.__dict__.get('__init__')
        if init is not None:
            cls.__init__ = _forkserver.skipped_while_rebuilding(init)

    def __init__(self, group=None, target=None, name=None, args=(), kwargs={}, *,
                 daemon=None, parent_death_signal=None, process_group=None, **properties):
        if _forkserver.rebuilding:
            return  # PyGObject's call in a fork-server child: the state comes pickled
        if 'start_method' in properties:
            _forkserver.used = True
        assert group is None, 'group argument must be None for now'   # BaseProcess.__init__
        GProcess.Object.__init__(self, **properties)
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs)
        if name:
            self.name = name
        elif type(self) is not Object and type(self) is not _context.process_classes['server']:
            # multiprocessing names subclasses after the class (MyProcess-3): the library's
            # default name with the class name for "Process"
            default = GProcess.Object.get_name(self)
            GProcess.Object.set_name(self, type(self).__name__ + default[len('Process'):])
        for key, value in (('daemon', daemon), ('parent_death_signal', parent_death_signal),
                           ('process_group', process_group)):
            if value is not None:
                setattr(self, key, value)

    @classmethod
    def new_with_target(cls, target, *user_data):
        """Creates a process object whose child calls ``target(process, *user_data)``."""
        process = cls()
        process.set_target(target, *user_data)
        return process

    def set_target(self, target, *user_data):
        """Sets what the child calls: ``target(process, *user_data)`` (GObject style; the
        ``target`` given to the constructor, called with ``args`` and ``kwargs``, takes
        precedence). ``None`` removes it. Must be called before ``start()``."""
        self._gi_target = None if target is None else (target, user_data)

    def _check_closed(self):
        _check(self, _Operation.READ, 'read')  # BaseProcess._check_closed

    def _is_current(self):
        return GProcess.get_current() == self

    def run(self):
        """Method to be run in sub-process; can be overridden in sub-class.

        Calls the ``target`` with ``args`` and ``kwargs``; else the target given to
        ``set_target()``; else a subclass's ``do_run``; else the C class's run (the target
        set by C code). What it returns is the child's ``result`` in the parent."""
        if self._target:
            return self._target(*self._args, **self._kwargs)    # BaseProcess.run
        if self._gi_target is not None:
            target, user_data = self._gi_target
            return target(self, *user_data)
        do_run = getattr(type(self), 'do_run', None)
        if isinstance(do_run, types.FunctionType) and \
                not getattr(do_run, '_gprocess_entry', False):
            # Called directly so that exceptions and sys.exit() reach the child's bootstrap
            return do_run(self)
        # The C class's own run (a target set by C code): chained up to, not through the
        # vfunc, which is this class's entry in a fork-server child
        return GProcess.Object.do_run(self)

    def create_source(self, cancellable=None):
        """Return a GLib.Source that dispatches once, when the child has ended (or when
        ``cancellable`` is cancelled). Its ``set_callback(callback, *data)`` sets
        ``callback(process, *data)`` (g_process_source_set_callback()); attach it to a main
        context."""
        source = GProcess.Object.create_source(self, cancellable)
        if source is not None:
            source.__class__ = _ProcessSource
        return source

    start = _popen.start   # "Start child process..." (one call less on the way to the fork)

    def set_start_method(self, method):
        """Sets this object's start method (a GProcess.StartMethod), before start()."""
        _forkserver.used = True
        GProcess.Object.set_start_method(self, method)

    def join(self, timeout=None):
        """Wait until child process terminates, or ``timeout`` seconds pass; returns None."""
        fd = GProcess.Object.get_sentinel(self)
        if fd >= 0 and timeout != 0:
            # Wait in Python, which runs signal handlers (Ctrl-C raises KeyboardInterrupt, as
            # in multiprocessing); the library then only collects the child (timeout 0).
            # Without a timeout, waitid() with WNOWAIT on the pidfd is a single call.
            try:
                if timeout is not None:
                    raise OSError
                os.waitid(os.P_PIDFD, fd, os.WEXITED | os.WNOWAIT)
            except (OSError, AttributeError):
                poller = select.poll()
                poller.register(fd, select.POLLIN)
                if not poller.poll(None if timeout is None else max(0, int(timeout * 1000 + 1))):
                    return None
        for timeout_us in (0, -1):  # -1 in the pipe fallback: the pipe ends a little early
            try:
                GProcess.Object.join(self, timeout_us, None)
                break
            except GLib.Error as e:
                if e.matches(GLib.quark_from_string('g-io-error-quark'), _IO_ERROR_TIMED_OUT):
                    if fd < 0 or timeout == 0:
                        return None
                    continue
                _raise_for(e, 'join')
        _process.forget(self)
        return None

    def is_alive(self):
        """Return whether process is alive."""
        _check(self, _Operation.TEST, 'test')
        alive = GProcess.Object.is_alive(self)
        if not alive:
            _process.forget(self)
        return alive

    def terminate(self):
        """Terminate process; sends SIGTERM signal."""
        _check(self, _Operation.SIGNAL, 'terminate')
        GProcess.Object.terminate(self)

    def kill(self):
        """Terminate process; sends SIGKILL signal."""
        _check(self, _Operation.SIGNAL, 'kill')
        GProcess.Object.kill(self)

    def close(self):
        """Close the Process object.

        This method releases resources held by the Process object. It is an error to call
        this method if the child process is still running."""
        try:
            GProcess.Object.close(self)
        except GLib.Error as e:
            _raise_for(e, 'close')
        _process.forget(self)

    def stop(self, grace=5.0):
        """Stop the child politely, then for sure: SIGTERM, up to ``grace`` seconds to end,
        then SIGKILL; returns once it has ended (its exitcode is then known). ``grace=None``
        waits without limit after SIGTERM. Does nothing on a child that already ended (with
        ``process_group``, the group's remaining members are still stopped)."""
        grace_us = -1 if grace is None else max(0, int(grace * 1e6))
        try:
            GProcess.Object.stop(self, grace_us, None)
        except GLib.Error as e:
            _raise_for(e, 'stop')
        _process.forget(self)

    def _set_name(self, name):
        assert isinstance(name, str), 'name must be a string'     # BaseProcess.name
        GProcess.Object.set_name(self, name)

    name = property(GProcess.Object.get_name, _set_name, doc="""The process's name (a str).

        Only used for identification (repr, logging's %(processName)s). The default is
        ``Process-N`` (``MyProcess-N`` for a subclass, ``Process-N:M`` in a child); renaming
        before start() is what the child sees as current_process().name.""")

    daemon = _configurable('daemon', bool, doc="""Whether the process is
        daemonic (a bool).

        Inherited from the creating process. A daemonic child is terminated when its parent
        exits, and may not create children of its own. Set it before start().""")

    def _get_authkey(self):
        key = GProcess.Object.get_authkey(self)
        if key is None:
            raise KeyError('authkey')
        return bytes(key.get_data())

    def _set_authkey(self, authkey):
        GProcess.Object.set_authkey(self, GLib.Bytes.new(bytes(authkey)))

    authkey = property(_get_authkey, _set_authkey, doc="""The process's authentication key
        (bytes).

        The main process gets 32 random bytes; a process object inherits its creator's key.
        multiprocessing's connections and managers use it to authenticate.""")

    parent_death_signal = _configurable('parent_death_signal', int, doc="""The signal the child gets
        when this process ends (an int; 0 for none).

        However this process ends, SIGKILL included. The default is SIGTERM for a daemonic
        process whose value was never set, 0 otherwise. Set it before start().""")

    process_group = _configurable('process_group', bool, doc="""Whether the child leads a new process group (a bool).

        Then terminate(), kill() and stop() signal the whole group, grandchildren included,
        also after the child itself has ended. Set it before start().""")

    @property
    def exitcode(self):
        """Return exit code of process or None if it has yet to stop.

        0 after a normal end, N after sys.exit(N), 1 after an exception, -N when signal N
        killed it. Reading it reaps an ended child."""
        self._check_closed()
        code = GProcess.Object.get_exit_code(self)
        return None if code == _process.EXIT_CODE_NONE else code

    @property
    def ident(self):
        """Return identifier (PID) of process or None if it has yet to start."""
        self._check_closed()
        if self._is_current():
            return os.getpid()
        return GProcess.Object.get_pid(self) or None

    pid = property(ident.fget, doc="""Return identifier (PID) of process or None if it has yet
        to start (the same as ``ident``).""")

    @property
    def sentinel(self):
        """Return a file descriptor (Unix) that becomes "ready" when the process ends.

        A pidfd (or a pipe on old kernels), usable with select/poll and
        multiprocessing.connection.wait(); valid until close()."""
        self._check_closed()
        fd = GProcess.Object.get_sentinel(self)
        if fd < 0:
            raise ValueError('process not started') from None
        return fd

    @property
    def usage(self):
        """The resources the ended child used: a ``Usage(user_time, system_time, max_rss)``
        named tuple, in seconds (floats), seconds, and bytes (an int). Raises ValueError
        before the end (as ``result``); None when the end is known but its figures are not
        (another process collected the child)."""
        return _process.usage(self)

    @property
    def result(self):
        """What the child's run() (its target) returned, once the child has ended: None when
        it returned None, raised, or was killed before the end. The value crosses by pickle,
        so it must be picklable; it is untrusted input as much as the child is. Raises
        ValueError before the end."""
        return _results.outcome(self)[0]

    @property
    def exception(self):
        """The exception the child's run() raised, re-created in the parent with the child's
        traceback text as its ``__cause__`` (a ``RemoteTraceback``), once the child has
        ended; None otherwise. The child's exit code (1) and printed traceback are as in
        multiprocessing. Raises ValueError before the end."""
        return _results.outcome(self)[1]

    # What multiprocessing reads of a process object (its BaseProcess)
    _config = property(_process.config)
    _popen = property(_process.popen)

    @property
    def _parent_pid(self):
        return self.get_parent_pid() or None

    @property
    def _identity(self):
        """multiprocessing's ``_identity``: the counters that named the object, ``()`` for the
        main process (g_process_object_get_identity())."""
        return tuple(GProcess.Object.get_identity(self))

    def __repr__(self):
        # BaseProcess.__repr__, written by g_process_object_describe(); the class names are
        # multiprocessing's
        if type(self) is not Object:
            class_name = type(self).__name__
        elif self._is_current() and GProcess.get_parent() is None:
            class_name = '_MainProcess'
        else:
            class_name = 'Process'
        return GProcess.Object.describe(self, class_name)


# Import-time hooks (all of them)

Object = override(Object)
# help() and type checkers see the multiprocessing spelling; __name__ stays 'Object', which
# PyGObject's constructors (Object.new()) check.
Object.__qualname__ = 'Process'
Process = Object
ForkProcess, ForkServerProcess = _context.make_process_classes(Object)

# The library forks with Python's os.fork(), so that the interpreter's locks, the GIL among
# them, are reset in the child even while other threads run (the fork server is such a fork
# too); each fork-server child first runs the interpreter's after-fork handling; daemonic
# children are terminated and the others joined while the interpreter is still whole.
GProcess.set_fork_func(_popen.fork_hook)
GProcess.set_fork_server_child_func(_forkserver.server_child)
atexit.register(_exit_function)
