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

``GProcess.get_context()`` is a ``multiprocessing`` context whose processes are GProcess
objects: pass it to ``multiprocessing.Pool(context=...)``,
``concurrent.futures.ProcessPoolExecutor(mp_context=...)``, or call its ``Manager()``.

The module is laid out in sections:

1. the multiprocessing mimicry: every behaviour and message copied from CPython's
   ``multiprocessing``, each tied to the function it copies;
2. the one way into the child: ``_fork_hook`` (the library's fork) runs ``_bootstrap``, which
   lives the child's life as ``BaseProcess._bootstrap`` does and never returns;
3. the ``Object`` class;
4. contexts (``get_context``);
5. import-time hooks, all of them, in one place:
   ``GProcess.set_fork_func(_fork_hook)`` (the library forks with Python's ``os.fork()``, so
   the interpreter's locks, the GIL among them, are reset in the child even while other
   threads run), ``atexit.register(_exit_function)`` (daemonic children are terminated and
   the others joined while the interpreter is still whole), and ``override(Object)``.

Nothing imports ``multiprocessing``: when the program has imported it, GProcess processes
join its world (``multiprocessing.current_process()``, ``active_children()``, after-fork
hooks, finalizers, ``util.log_to_stderr()`` lines). ``get_context()`` imports it, and so does
the first ``start()`` of a program that has configured ``logging`` handlers (so that
``%(processName)s`` names the child).
"""

import atexit
import errno
import itertools
import math
import os
import select
import sys
import threading
import traceback
import types

from gi.repository import GLib

from ..module import get_introspection_module
from ..overrides import override

GProcess = get_introspection_module('GProcess')

__all__ = ['Object', 'Process', 'current_process', 'parent_process', 'active_children',
           'get_context']

_EXIT_CODE_NONE = GProcess.EXIT_CODE_NONE
_State = GProcess.State
_Error = GProcess.Error
_ERROR_DOMAIN = GLib.quark_to_string(GProcess.error_quark())
_Operation = GProcess.Operation
_IO_ERROR_TIMED_OUT = 24  # G_IO_ERROR_TIMED_OUT

# Between start() and the fork hook, in the thread that starts: .process, the object being
# started (a lookup the child need not make: reading GProcess.get_current() there copies ~16
# pages of the parent); .error, what os.fork() raised, for start() to raise.
_starting = threading.local()


# ==========================================================================================
# 1. The multiprocessing mimicry
#
# Each message and rule below copies CPython 3.11's Lib/multiprocessing: P = process.py,
# U = util.py, F = popen_fork.py, C = context.py; the function copied is named at each place.
# ==========================================================================================

def _flush_std_streams():
    # U:_flush_std_streams
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, ValueError):
            pass


_stdin_checked = None     # the last sys.stdin start() looked at, in the parent
_stdin_on_fd0 = None      # that sys.stdin if it is on descriptor 0


def _check_stdin():
    # In the parent (where reading the stream's pages copies nothing): is sys.stdin on
    # descriptor 0?
    global _stdin_checked, _stdin_on_fd0
    stdin = sys.stdin
    if stdin is _stdin_checked:
        return
    _stdin_checked = stdin
    try:
        _stdin_on_fd0 = stdin if stdin is not None and stdin.fileno() == 0 else None
    except (OSError, ValueError, AttributeError):
        _stdin_on_fd0 = None


def _close_stdin():
    # U:_close_stdin, except that a sys.stdin on descriptor 0 is kept: the library has already
    # made descriptor 0 /dev/null in the child (reads give end-of-file), and replacing the
    # stream object would cost ~60 us per child.
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


def _raise_for(error, action, os_errno=None):
    """Turns a GProcess GLib.Error into multiprocessing's exception for ``action`` ('start',
    'join', 'test', 'close', 'terminate', 'kill', 'configure' or 'read'). Call it right after
    the failed call, in its thread: an operating system failure's errno is read then."""
    if error.domain == _ERROR_DOMAIN and error.code == _Error.FAILED:
        if os_errno is None:
            os_errno = GProcess.get_last_errno()
        if os_errno:
            # An operating system failure: OSError(errno, ...) is its subclass
            # (BlockingIOError...)
            raise OSError(os_errno, error.message) from None
    if error.domain == _ERROR_DOMAIN:
        code = error.code
        if code == _Error.CLOSED:
            # P:BaseProcess._check_closed
            raise ValueError('process object is closed') from None
        if code == _Error.ALREADY_STARTED:
            if action == 'configure':
                # P:BaseProcess.daemon (setter)
                raise AssertionError('process has already started') from None
            # P:BaseProcess.start
            raise AssertionError('cannot start a process twice') from None
        if code == _Error.DAEMONIC:
            # P:BaseProcess.start
            raise AssertionError('daemonic processes are not allowed to have children') from None
        if code == _Error.NOT_CHILD or code == _Error.JOIN_SELF:
            if action == 'start':
                # P:BaseProcess.start
                raise AssertionError(
                    'can only start a process object created by current process') from None
            # P:BaseProcess.join ('join'), P:BaseProcess.is_alive ('test')
            raise AssertionError('can only %s a child process' % action) from None
        if code == _Error.NOT_STARTED:
            if action in ('terminate', 'kill'):
                # P:BaseProcess.terminate, P:BaseProcess.kill: self._popen.terminate() with
                # _popen None
                raise AttributeError("'NoneType' object has no attribute '%s'" % action) \
                    from None
            # P:BaseProcess.join
            raise AssertionError('can only join a started process') from None
        if code == _Error.STILL_RUNNING:
            # P:BaseProcess.close
            raise ValueError("Cannot close a process while it is still running. "
                             "You should first call join() or terminate().") from None
    raise OSError(errno.EIO, error.message) from None


def _check(process, operation, action):
    """Raises multiprocessing's exception when the library refuses ``operation`` (a
    GProcess.Operation) for ``process`` (g_process_object_check())."""
    try:
        GProcess.Object.check(process, operation)
    except GLib.Error as e:
        _raise_for(e, action)


def _mp():
    """multiprocessing's process module if the program imported multiprocessing, else None."""
    return sys.modules.get('multiprocessing.process')


def _logging_configured():
    logging = sys.modules.get('logging')
    if logging is None:
        return False
    if logging.root.handlers:
        return True
    return any(getattr(logger, 'handlers', None)
               for logger in list(logging.Logger.manager.loggerDict.values()))


_mp_adopted_in = None  # the pid in which _mp_adopt() last ran


def _mp_adopt():
    """Lets an imported multiprocessing see GProcess's processes (idempotent per process).

    Returns multiprocessing's process module, or None when multiprocessing is not imported.
    """
    global _mp_adopted_in
    mpp = _mp()
    if mpp is None or _mp_adopted_in == os.getpid():
        return mpp
    _mp_adopted_in = os.getpid()
    # multiprocessing.util is what the child needs (after-fork hooks, finalizers, logging);
    # import it now, in the parent, rather than in every child.
    import multiprocessing.util  # noqa: F401
    current = GProcess.get_current()
    if GProcess.get_parent() is None:
        # The main process: one authentication key for both (P:_MainProcess.__init__ makes
        # multiprocessing's own); GProcess's is the one children inherit.
        mpp._current_process._config['authkey'] = mpp.AuthenticationString(
            bytes(GProcess.Object.get_authkey(current).get_data()))
    elif mpp._current_process is not current:
        # multiprocessing was imported in a GProcess child, after its start
        mpp._current_process = current
        mpp._parent_process = GProcess.get_parent()
    mpp._children.update(GProcess.get_active_children())
    return mpp


class _Popen:
    """What multiprocessing reads of a started child's ``_popen`` (F:Popen): used by
    ``multiprocessing.active_children()`` (P:_cleanup) and ``util._exit_function``. Made on
    each read of ``Object._popen``, so a started object stores nothing more."""

    __slots__ = ('_process',)
    method = 'fork'

    def __init__(self, process):
        self._process = process

    @property
    def pid(self):
        return GProcess.Object.get_pid(self._process)

    @property
    def sentinel(self):
        return GProcess.Object.get_sentinel(self._process)

    @property
    def returncode(self):
        code = GProcess.Object.get_exit_code(self._process)
        return None if code == _EXIT_CODE_NONE else code

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
        # F:Popen.terminate
        GProcess.Object.terminate(self._process)

    def kill(self):
        # F:Popen.kill
        GProcess.Object.kill(self._process)

    def close(self):
        pass


class _ParentProcess:
    """``multiprocessing.parent_process()`` in a GProcess child (P:_ParentProcess): stands for
    ``GProcess.parent_process()``, which is made on first use (making it in every child would
    cost ~65 us each)."""

    __slots__ = ()

    def __getattr__(self, attribute):
        return getattr(GProcess.get_parent(), attribute)

    def __setattr__(self, attribute, value):
        setattr(GProcess.get_parent(), attribute, value)

    def __eq__(self, other):
        return GProcess.get_parent() == other

    def __hash__(self):
        return hash(GProcess.get_parent())

    def __repr__(self):
        return repr(GProcess.get_parent())


_parent_process = _ParentProcess()


def _mp_forget(process):
    """A child whose end was seen (or that was closed) leaves multiprocessing's children set
    (P:BaseProcess.join, P:BaseProcess.is_alive, P:BaseProcess.close)."""
    mpp = _mp()
    if mpp is not None:
        mpp._children.discard(process)


# ==========================================================================================
# 2. The one way into the child
# ==========================================================================================

def _fork_hook(*_user_data):
    # The library's fork(), set at import time (section 5). Called by g_process_object_start()
    # with no GProcess lock held. It must never raise: PyGObject would print the exception and
    # return 0, which reads as "the child". A failure is kept for start() to raise as it was.
    try:
        pid = os.fork()
    except BaseException as e:  # OSError (BlockingIOError for EAGAIN), KeyboardInterrupt...
        _starting.error = e
        return -((e.errno if isinstance(e, OSError) else None) or errno.EINTR)
    if pid == 0:
        # The C side of the child is already set up (pthread_atfork): the current process is
        # the object being started. Live its life from here; never return into C.
        process = getattr(_starting, 'process', None)
        _bootstrap(process if process is not None else GProcess.get_current())
    return pid


def _bootstrap(process):
    """The child's life, as P:BaseProcess._bootstrap (with F:Popen._launch's os._exit)."""
    exitcode = 1
    util = None
    try:
        try:
            mpp = _mp()
            if mpp is not None:
                util = sys.modules.get('multiprocessing.util')  # imported by _mp_adopt()
                if util is None:
                    from multiprocessing import util
                mpp._process_counter = itertools.count(1)   # P:_bootstrap
                mpp._children = set()                       # P:_bootstrap
            _close_stdin()                                  # P:_bootstrap, U:_close_stdin
            if mpp is not None:
                old_process = mpp._current_process
                mpp._current_process = process              # P:_bootstrap
                mpp._parent_process = _parent_process       # P:_bootstrap
            if threading._HAVE_THREAD_NATIVE_ID:           # P:_bootstrap
                threading.main_thread()._set_native_id()
            if mpp is not None:
                try:
                    # P:BaseProcess._after_fork
                    util._finalizer_registry.clear()
                    util._run_after_forkers()
                finally:
                    # P:_bootstrap: "delay finalization of the old process object until
                    # after _run_after_forkers() is executed"
                    del old_process
                util.info('child process calling self.run()')  # P:_bootstrap
            try:
                process.run()
                exitcode = 0
            finally:
                if util is not None:
                    util._exit_function()                   # P:_bootstrap
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
            sys.stderr.write('Process %s:\n' % process.name)
            traceback.print_exc()
        finally:
            # P:_bootstrap: wait for non-daemonic threads (alone, there is none to wait for,
            # and the call would cost page copies)
            if threading.active_count() > 1:
                threading._shutdown()
            if util is not None:
                util.info('process exiting with exitcode %d' % exitcode)  # P:_bootstrap
            _flush_std_streams()                            # P:_bootstrap
    finally:
        # F:Popen._launch: os._exit(code), of which only the low 8 bits survive. The library's
        # exit also terminates daemonic children, joins the others and flushes C stdio.
        try:
            GProcess.exit(int(exitcode) & 0xff)
        finally:
            os._exit(1)


# ==========================================================================================
# 3. The process object
# ==========================================================================================

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
    _start_method = None     # P:BaseProcess._start_method

    def __init__(self, group=None, target=None, name=None, args=(), kwargs={}, *,
                 daemon=None, **properties):
        # P:BaseProcess.__init__
        assert group is None, 'group argument must be None for now'
        GProcess.Object.__init__(self, **properties)
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs)
        if name:
            self.name = name
        elif type(self) is not Object:
            # P:BaseProcess.__init__ names subclasses after the class: MyProcess-3
            GProcess.Object.set_name(self, type(self).__name__ + '-' +
                                     ':'.join(str(i) for i in self._identity))
        if daemon is not None:
            self.daemon = daemon

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

    # -- helpers --------------------------------------------------------------------------

    def _check_closed(self):
        _check(self, _Operation.READ, 'read')  # P:BaseProcess._check_closed

    def _is_current(self):
        return GProcess.get_current() == self

    # -- the activity ---------------------------------------------------------------------

    def run(self):
        """Method to be run in sub-process; can be overridden in sub-class.

        Calls the ``target`` with ``args`` and ``kwargs``; else the target given to
        ``set_target()``; else a subclass's ``do_run``; else the C class's run (the target
        set by C code)."""
        if self._target:
            self._target(*self._args, **self._kwargs)           # P:BaseProcess.run
        elif self._gi_target is not None:
            target, user_data = self._gi_target
            target(self, *user_data)
        else:
            do_run = getattr(type(self), 'do_run', None)
            if isinstance(do_run, types.FunctionType):
                # Called directly so that exceptions and sys.exit() reach _bootstrap
                do_run(self)
            else:
                GProcess.Object.run(self)

    def create_source(self, cancellable=None):
        """Return a GLib.Source that dispatches once, when the child has ended (or when
        ``cancellable`` is cancelled). Its ``set_callback(callback, *data)`` sets
        ``callback(process, *data)`` (g_process_source_set_callback()); attach it to a main
        context."""
        source = GProcess.Object.create_source(self, cancellable)
        if source is not None:
            source.__class__ = _ProcessSource
        return source

    def start(self):
        """Start child process: forks a child that runs ``run()`` and ends with its exit code.

        Fails with ``AssertionError`` when started twice, by another process than the
        creator, or from a daemonic process; ``ValueError`` when closed; an ``OSError`` (as
        ``os.fork()`` raised it: ``BlockingIOError`` for EAGAIN) when the fork fails."""
        mpp = _mp()
        if mpp is None and _logging_configured():
            # logging's %(processName)s asks multiprocessing.current_process()
            import multiprocessing  # noqa: F401
            mpp = _mp()
        if mpp is not None:
            _mp_adopt()
        _check_stdin()
        _flush_std_streams()                                        # F:Popen.__init__
        _starting.process = self
        try:
            GProcess.Object.start(self)
        except GLib.Error as e:
            error = getattr(_starting, 'error', None)
            if error is not None:
                del _starting.error
                raise error from None
            _raise_for(e, 'start')
        finally:
            _starting.process = None
        # Avoid a reference cycle if the target holds the process object (P:BaseProcess.start,
        # bpo-30775)
        self._target = None
        self._args = ()
        self._kwargs = {}
        self._gi_target = None
        if mpp is not None:
            mpp._children.add(self)                                 # P:BaseProcess.start

    def join(self, timeout=None):
        """Wait until child process terminates, or ``timeout`` seconds pass; returns None."""
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
            if e.matches(GLib.quark_from_string('g-io-error-quark'), _IO_ERROR_TIMED_OUT):
                return None
            _raise_for(e, 'join')
        _mp_forget(self)
        return None

    def is_alive(self):
        """Return whether process is alive."""
        _check(self, _Operation.TEST, 'test')
        alive = GProcess.Object.is_alive(self)
        if not alive:
            _mp_forget(self)
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
        _mp_forget(self)

    # -- attributes -----------------------------------------------------------------------

    def _get_name(self):
        return GProcess.Object.get_name(self)

    def _set_name(self, name):
        assert isinstance(name, str), 'name must be a string'     # P:BaseProcess.name
        GProcess.Object.set_name(self, name)

    name = property(_get_name, _set_name, doc="""The process's name (a str).

        Only used for identification (repr, logging's %(processName)s). The default is
        ``Process-N`` (``MyProcess-N`` for a subclass, ``Process-N:M`` in a child); renaming
        before start() is what the child sees as current_process().name.""")

    def _get_daemon(self):
        return GProcess.Object.get_daemon(self)

    def _set_daemon(self, daemonic):
        _check(self, _Operation.CONFIGURE, 'configure')            # P:BaseProcess.daemon
        GProcess.Object.set_daemon(self, bool(daemonic))

    daemon = property(_get_daemon, _set_daemon, doc="""Whether the process is daemonic (a bool).

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

    @property
    def exitcode(self):
        """Return exit code of process or None if it has yet to stop.

        0 after a normal end, N after sys.exit(N), 1 after an exception, -N when signal N
        killed it. Reading it reaps an ended child."""
        self._check_closed()
        code = GProcess.Object.get_exit_code(self)
        return None if code == _EXIT_CODE_NONE else code

    @property
    def ident(self):
        """Return identifier (PID) of process or None if it has yet to start."""
        self._check_closed()
        if self._is_current():
            return os.getpid()
        pid = GProcess.Object.get_pid(self)
        return pid if pid != 0 else None

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

    # What multiprocessing reads of a process object (P:BaseProcess)

    @property
    def _config(self):
        """multiprocessing's per-process settings: authkey, daemon, semprefix, tempdir..."""
        config = self.__dict__.get('_mp_config')
        if config is None:
            # P:BaseProcess.__init__ copies the creator's; made on first use here, it has the
            # settings multiprocessing reads (a child makes its own tempdir, and removes it)
            config = self.__dict__['_mp_config'] = {'semprefix': '/mp'}
        mpp = _mp()
        key = GProcess.Object.get_authkey(self)
        if key is not None:
            key = bytes(key.get_data())
            config['authkey'] = mpp.AuthenticationString(key) if mpp is not None else key
        if GProcess.Object.get_daemon(self):
            config['daemon'] = True
        else:
            config.pop('daemon', None)
        return config

    @property
    def _popen(self):
        """multiprocessing's handle on a started child (P:BaseProcess._popen): None before
        start, after close, and for the current process."""
        if GProcess.Object.get_state(self) not in (_State.STARTED, _State.STOPPED) or \
                GProcess.Object.get_parent_pid(self) != os.getpid():
            return None
        return _Popen(self)

    @property
    def _parent_pid(self):
        return self.get_parent_pid() or None

    @property
    def _identity(self):
        """multiprocessing's ``_identity``: the counters that named the object, ``()`` for the
        main process (g_process_object_get_identity())."""
        return tuple(GProcess.Object.get_identity(self))

    def __repr__(self):
        # P:BaseProcess.__repr__, written by g_process_object_describe(); the class names are
        # multiprocessing's
        if type(self) is not Object:
            class_name = type(self).__name__
        elif self._is_current() and GProcess.get_parent() is None:
            class_name = '_MainProcess'
        else:
            class_name = 'Process'
        return GProcess.Object.describe(self, class_name)


def current_process():
    """Return process object representing the current process."""
    return GProcess.get_current()


def parent_process():
    """Return process object representing the parent process (None in the main process)."""
    return GProcess.get_parent()


def active_children():
    """Return list of process objects corresponding to live child processes (ended ones are
    reaped first)."""
    return list(GProcess.get_active_children())


def _exit_function():
    # As U:_exit_function for GProcess's children, while the interpreter is still whole: the
    # library's own exit rule (terminate the daemonic children, join the others)
    GProcess.end_children()


# ==========================================================================================
# 4. Contexts
# ==========================================================================================

_contexts = {}


def _make_fork_context():
    import multiprocessing.context

    class ForkProcess(Object):
        """A GProcess process made by a context: named ``ForkProcess-N`` as
        multiprocessing's fork context names them (C:ForkProcess)."""
        __gtype_name__ = 'GProcessPyForkProcess'
        # A module outside gi.overrides, or PyGObject would not register a GType for it
        __module__ = 'GProcess'
        _start_method = 'fork'

    class GProcessContext(multiprocessing.context.BaseContext):
        """A multiprocessing context whose processes are GProcess objects (fork)."""
        _name = 'fork'
        Process = ForkProcess

        def get_context(self, method=None):
            return get_context(method)

        def get_start_method(self, allow_none=False):
            return self._name

        def get_all_start_methods(self):
            return list(_START_METHODS)

        def set_start_method(self, method, force=False):
            raise ValueError('cannot set the start method of a GProcess context')

        def __repr__(self):
            return '<GProcess context %r>' % self._name

    return GProcessContext()


_START_METHODS = {'fork': _make_fork_context}


def get_context(method=None):
    """Return a ``multiprocessing`` context whose processes are GProcess objects.

    ``method`` is the start method: None or ``'fork'`` (the only one for now). The context
    has the API of ``multiprocessing.get_context('fork')``: pass it as
    ``multiprocessing.Pool(context=ctx)``, ``ProcessPoolExecutor(mp_context=ctx)``, or call
    ``ctx.Manager()``, ``ctx.Pool()``, ``ctx.Queue()``, ``ctx.Process(...)``. Imports
    multiprocessing."""
    if method is None:
        method = 'fork'
    context = _contexts.get(method)
    if context is None:
        try:
            make = _START_METHODS[method]
        except KeyError:
            raise ValueError('cannot find context for %r' % method) from None  # C:get_context
        context = _contexts[method] = make()
        _mp_adopt()
    return context


# ==========================================================================================
# 5. Import-time hooks (all of them)
# ==========================================================================================

Object = override(Object)
# help() and type checkers see the multiprocessing spelling; __name__ stays 'Object', which
# PyGObject's constructors (Object.new()) check.
Object.__qualname__ = 'Process'
Process = Object

GProcess.set_fork_func(_fork_hook)
atexit.register(_exit_function)
