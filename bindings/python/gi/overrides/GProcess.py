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
2. the one way into the child, ``_bootstrap``, which lives the child's life as
   ``BaseProcess._bootstrap`` does and never returns: a fork child enters it from
   ``_fork_hook`` (the library's fork), a fork-server child from ``_forkserver_entry`` (the
   run vfunc of Python process classes), once its pickled state is restored; then what the
   child's run() returned or raised, sent to the parent;
3. the ``Object`` class;
4. contexts and start methods (``get_context``, ``set_start_method``...);
5. import-time hooks, all of them, in one place:
   ``GProcess.set_fork_func(_fork_hook)`` (the library forks with Python's ``os.fork()``, so
   the interpreter's locks, the GIL among them, are reset in the child even while other
   threads run; the fork server is such a fork too),
   ``GProcess.set_fork_server_child_func(_forkserver_child)`` (each fork-server child first
   runs the interpreter's after-fork handling, ``PyOS_AfterFork_Child``),
   ``atexit.register(_exit_function)`` (daemonic children are terminated and the others
   joined while the interpreter is still whole), and ``override(Object)``.

Nothing imports ``multiprocessing``: when the program has imported it, GProcess processes
join its world (``multiprocessing.current_process()``, ``active_children()``, after-fork
hooks, finalizers, ``util.log_to_stderr()`` lines). ``get_context()`` imports it, and so does
the first ``start()`` of a program that has configured ``logging`` handlers (so that
``%(processName)s`` names the child).
"""

import atexit
import collections
import errno
import functools
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
           'get_context', 'Usage', 'RemoteTraceback', 'get_start_method', 'set_start_method',
           'get_all_start_methods', 'start_fork_server', 'ForkProcess', 'ForkServerProcess']

_EXIT_CODE_NONE = GProcess.EXIT_CODE_NONE
_State = GProcess.State
# The start methods (issue 12), when the library has them
_HAVE_FORKSERVER = hasattr(GProcess, 'set_fork_server_child_func')
_StartMethod = getattr(GProcess, 'StartMethod', None)
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
        if action == 'result' and code in (_Error.NOT_STARTED, _Error.STILL_RUNNING):
            raise ValueError('process has not ended: join() it first') from None
        if code == _Error.NOT_STARTED and action == 'stop':
            raise AssertionError('can only stop a started process') from None
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

_started_in = None  # the pid of the last process that started a child (Python or C, any method)
_process_exit = GProcess.exit  # looked up here, once, rather than in every child


def _note_started():
    global _started_in
    _started_in = os.getpid()


def _fork_hook(*_user_data):
    # The library's fork(), set at import time (section 5). Called by g_process_object_start()
    # with no GProcess lock held. It must never raise: PyGObject would print the exception and
    # return 0, which reads as "the child". A failure is kept for start() to raise as it was.
    _note_started()  # also for children started by C code
    try:
        pid = os.fork()
    except BaseException as e:  # OSError (BlockingIOError for EAGAIN), KeyboardInterrupt...
        _starting.error = e
        return -((e.errno if isinstance(e, OSError) else None) or errno.EINTR)
    if pid == 0:
        if getattr(_starting, 'server', False):
            # The fork server (_start_fork_server()): the library serves requests from here
            return 0
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
                value = process.run()
                exitcode = 0
                if value is not None:
                    _set_outcome('python-value', value)
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
            _set_outcome_exception()
        finally:
            # P:_bootstrap: wait for non-daemonic threads (alone, there is none to wait for,
            # and the call would cost page copies)
            if threading.active_count() > 1:
                threading._shutdown()
            if util is not None:
                util.info('process exiting with exitcode %d' % exitcode)  # P:_bootstrap
            _flush_std_streams()                            # P:_bootstrap
    finally:
        # F:Popen._launch: os._exit(code), of which only the low 8 bits survive. When this
        # process has started children, or has a result to send, the library's exit (bound at
        # import, so that the child does not look it up) first ends the children by its rule
        # (terminates the daemonic ones, joins the others) and sends the result. Like
        # multiprocessing's child, neither flushes C stdio buffers.
        try:
            if _started_in == os.getpid() or _outcome_set_in == os.getpid():
                _process_exit(int(exitcode) & 0xff)
            os._exit(int(exitcode) & 0xff)
        finally:
            os._exit(1)


# The fork server's children (issue 12). The server itself is an os.fork() of this process
# (the library forks it through _fork_hook), so it is a clean Python child; each child it makes
# first runs _forkserver_child() (the interpreter's after-fork handling, as os.fork() gives it),
# then the library rebuilds the object (a Python class's instance: its GType existed when the
# server started) and calls its run vfunc: _forkserver_entry(), which restores the object's
# Python state from the "args" property (pickled by start()) and lives the child's life.

_forkserver_used = False  # whether this program asked for the fork server, in any way
_in_server_child = False
_rebuilding = False   # in a fork-server child, while the library rebuilds the object
_inherited_fds = ()   # in a fork-server child: the descriptors that came with the request


def _forkserver_child(*_user_data):
    # g_process_set_fork_server_child_func(), set at import time (section 5)
    global _in_server_child, _rebuilding
    import ctypes
    ctypes.pythonapi.PyOS_AfterFork_Child()
    _starting.server = False
    _in_server_child = _rebuilding = True


def _forkserver_entry(self):
    """The run vfunc of Python process classes: in a fork-server child, the child's life;
    elsewhere (C code calling g_process_object_run()), ``run()``."""
    global _inherited_fds, _rebuilding
    _rebuilding = False
    if not _in_server_child or GProcess.get_current() != self:
        self.run()
        return
    try:
        from multiprocessing import reduction
        _inherited_fds = tuple(GProcess.Object.get_fds(self) or ())
        args = GProcess.Object.get_args(self)
        state = {} if args is None else \
            reduction.ForkingPickler.loads(args.get_data_as_bytes().get_data())
    except BaseException:
        sys.stderr.write('Process %s:\n' % GProcess.Object.get_name(self))
        traceback.print_exc()
        _flush_std_streams()
        os._exit(1)
    self.__dict__.update(state)
    _bootstrap(self)


_forkserver_entry._gprocess_entry = True


def _skipped_while_rebuilding(init):
    # A subclass's __init__, which PyGObject calls without arguments when the library rebuilds
    # the object in a fork-server child: skipped there (the object's state comes pickled)
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        if not _rebuilding:
            init(self, *args, **kwargs)
    return __init__


class _DupFd:
    """A descriptor that travels with a fork-server request (as multiprocessing's
    popen_forkserver._DupFd): its index among the request's descriptors."""

    def __init__(self, index):
        self.index = index

    def detach(self):
        return _inherited_fds[self.index]


class _Spawning:
    """What multiprocessing's pickling asks while start() pickles a process for the fork
    server (context.get_spawning_popen(): popen_forkserver.Popen): the descriptors to pass."""

    DupFd = _DupFd

    def __init__(self):
        self.fds = []

    def duplicate_for_child(self, fd):
        self.fds.append(fd)
        return len(self.fds) - 1


def _pickle_for_server(process):
    """Pickles the process's Python state, as multiprocessing's forkserver does (objects of
    multiprocessing pass their descriptors); returns (bytes, descriptors)."""
    import io
    from multiprocessing import context, reduction
    state = {k: v for k, v in process.__dict__.items() if not k.startswith('_gprocess_')}
    spawning = _Spawning()
    buf = io.BytesIO()
    context.set_spawning_popen(spawning)
    try:
        reduction.dump(state, buf)
    finally:
        context.set_spawning_popen(None)
    return buf.getvalue(), spawning.fds


def _start_fork_server():
    """g_process_start_fork_server(), marked so that _fork_hook lets the server serve."""
    # What every child of the server needs, loaded once, in the server
    from multiprocessing import context, reduction  # noqa: F401
    _flush_std_streams()   # or the server's copy of the buffers would be printed again
    _starting.server = True
    try:
        GProcess.start_fork_server()
    except GLib.Error as e:
        _raise_for(e, 'start')
    finally:
        _starting.server = False


# What the child's run() returned or raised, for the parent's result and exception (issue
# 13): pickled into a GVariant "(say)" through g_process_set_result(), only when there is one.

_outcome_set_in = None  # the pid of the child that set a result


def _set_outcome(kind, payload):
    global _outcome_set_in
    import pickle
    try:
        data = pickle.dumps(payload, pickle.HIGHEST_PROTOCOL)
    except Exception as e:  # an unpicklable value: the parent learns why
        kind = 'python-exception'
        data = pickle.dumps((TypeError('the result could not be pickled: %r' % e), ''))
    try:
        # Built from bytes: a Variant('ay', ...) from a list would make one GVariant per byte
        data = GLib.Variant.new_from_bytes(GLib.VariantType('ay'), GLib.Bytes.new(data), True)
        GProcess.set_result(GLib.Variant.new_tuple(GLib.Variant('s', kind), data))
    except Exception as e:  # the exit code stands
        sys.stderr.write('GProcess: the result could not be recorded: %r\n' % e)
        return
    _outcome_set_in = os.getpid()


def _set_outcome_exception():
    import pickle
    exc = sys.exc_info()[1]
    text = ''.join(traceback.format_exception(exc))
    try:
        pickle.loads(pickle.dumps(exc, pickle.HIGHEST_PROTOCOL))
    except Exception:
        exc = Exception('%s: %s' % (type(exc).__qualname__, exc))
    try:
        _set_outcome('python-exception', (exc, text))
    except BaseException:
        pass  # the exit code and the printed traceback stand


class RemoteTraceback(Exception):
    """The ``__cause__`` of an exception re-created from a child: its traceback text, as
    ``multiprocessing.pool`` attaches it (multiprocessing.pool.RemoteTraceback)."""

    def __init__(self, tb):
        super().__init__(tb)
        self.tb = tb

    def __str__(self):
        return self.tb


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

    def __new__(cls, *args, **kwargs):
        # Under the 'forkserver' default, a plain Process is a _ServerProcess: its GType
        # exists in the fork server, and its run vfunc enters Python there
        if cls is Object and _default_start_method == 'forkserver':
            cls = _ServerProcess
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs):
        # Every Python process class gets the run vfunc that a fork-server child enters by
        # (unless it implements do_run itself, GObject style)
        super().__init_subclass__(**kwargs)
        if 'do_run' not in cls.__dict__:
            cls.do_run = _forkserver_entry
        init = cls.__dict__.get('__init__')
        if init is not None:
            cls.__init__ = _skipped_while_rebuilding(init)

    def __init__(self, group=None, target=None, name=None, args=(), kwargs={}, *,
                 daemon=None, parent_death_signal=None, process_group=None, **properties):
        global _forkserver_used
        if _rebuilding:
            return  # PyGObject's call in a fork-server child: the state comes pickled
        if 'start_method' in properties:
            _forkserver_used = True
        # P:BaseProcess.__init__
        assert group is None, 'group argument must be None for now'
        GProcess.Object.__init__(self, **properties)
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs)
        if name:
            self.name = name
        elif type(self) is not Object and type(self) is not _ServerProcess:
            # P:BaseProcess.__init__ names subclasses after the class: MyProcess-3
            GProcess.Object.set_name(self, type(self).__name__ + '-' +
                                     ':'.join(str(i) for i in self._identity))
        if daemon is not None:
            self.daemon = daemon
        if parent_death_signal is not None:
            self.parent_death_signal = parent_death_signal
        if process_group is not None:
            self.process_group = process_group

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
        set by C code). What it returns is the child's ``result`` in the parent."""
        if self._target:
            return self._target(*self._args, **self._kwargs)    # P:BaseProcess.run
        if self._gi_target is not None:
            target, user_data = self._gi_target
            return target(self, *user_data)
        do_run = getattr(type(self), 'do_run', None)
        if isinstance(do_run, types.FunctionType) and \
                not getattr(do_run, '_gprocess_entry', False):
            # Called directly so that exceptions and sys.exit() reach _bootstrap
            return do_run(self)
        return GProcess.Object.run(self)

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
        if _forkserver_used and \
                GProcess.Object.get_start_method(self) == _StartMethod.FORKSERVER:
            self._prepare_for_server()
        _starting.process = self
        _note_started()
        try:
            GProcess.Object.start(self)
        except GLib.Error as e:
            error = getattr(_starting, 'error', None)
            if error is not None:
                del _starting.error
                raise error from None
            if e.domain == _ERROR_DOMAIN and \
                    e.code == getattr(_Error, 'NOT_TRANSFERABLE', None):
                raise ValueError(
                    "cannot start %r with the fork server: its class %s did not exist when "
                    "the server started; define it before the first start with 'forkserver' "
                    "(or before GProcess.start_fork_server())" % (self, type(self).__qualname__)) \
                    from None
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

    def set_start_method(self, method):
        """Sets this object's start method (a GProcess.StartMethod), before start()."""
        global _forkserver_used
        _forkserver_used = True
        GProcess.Object.set_start_method(self, method)

    def _prepare_for_server(self):
        # Under 'forkserver', what crosses beyond the library's properties: the Python state
        # (target, args, kwargs, the subclass's attributes), pickled into "args", with the
        # descriptors of multiprocessing objects
        if type(self).__gtype__ == GProcess.Object.__gtype__:
            raise ValueError('only GProcess.Process objects made under the forkserver start '
                             'method (or subclasses, or a forkserver context) can be started '
                             'with it')
        data, fds = _pickle_for_server(self)
        GProcess.Object.set_args(self, GLib.Variant.new_from_bytes(
            GLib.VariantType('ay'), GLib.Bytes.new(data), True))
        GProcess.Object.set_fds(self, fds)
        _start_fork_server()  # started here, by Python, if it does not run

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

    def _get_parent_death_signal(self):
        return GProcess.Object.get_parent_death_signal(self)

    def _set_parent_death_signal(self, signum):
        _check(self, _Operation.CONFIGURE, 'configure')
        GProcess.Object.set_parent_death_signal(self, int(signum))

    parent_death_signal = property(_get_parent_death_signal, _set_parent_death_signal,
                                   doc="""The signal the child gets when this process ends
        (an int; 0 for none).

        However this process ends, SIGKILL included. The default is SIGTERM for a daemonic
        process whose value was never set, 0 otherwise. Set it before start().""")

    def _get_process_group(self):
        return GProcess.Object.get_process_group(self)

    def _set_process_group(self, process_group):
        _check(self, _Operation.CONFIGURE, 'configure')
        GProcess.Object.set_process_group(self, bool(process_group))

    process_group = property(_get_process_group, _set_process_group,
                             doc="""Whether the child leads a new process group (a bool).

        Then terminate(), kill() and stop() signal the whole group, grandchildren included,
        also after the child itself has ended. Set it before start().""")

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
        _mp_forget(self)

    @property
    def usage(self):
        """The resources the ended child used: a ``Usage(user_time, system_time, max_rss)``
        named tuple (seconds, seconds, bytes), or None until its end has been seen."""
        ok, user_us, system_us, max_rss = GProcess.Object.get_usage(self)
        if not ok:
            return None
        return Usage(user_us / 1e6, system_us / 1e6, max_rss)

    def _outcome(self):
        # (result, exception) of an ended child, made once
        outcome = self.__dict__.get('_gprocess_outcome')
        if outcome is not None:
            return outcome
        try:
            variant = GProcess.Object.get_result(self)
        except GLib.Error as e:
            if e.domain == _ERROR_DOMAIN and e.code in (_Error.NOT_STARTED, _Error.STILL_RUNNING,
                                                        _Error.CLOSED):
                _raise_for(e, 'result')
            outcome = (None, e)   # the child's GError (g_process_set_error())
        else:
            outcome = _outcome_from_variant(variant)
        self.__dict__['_gprocess_outcome'] = outcome
        return outcome

    @property
    def result(self):
        """What the child's run() (its target) returned, once the child has ended: None when
        it returned None, raised, or was killed before the end. The value crosses by pickle,
        so it must be picklable; it is untrusted input as much as the child is. Raises
        ValueError before the end."""
        return self._outcome()[0]

    @property
    def exception(self):
        """The exception the child's run() raised, re-created in the parent with the child's
        traceback text as its ``__cause__`` (a ``RemoteTraceback``), once the child has
        ended; None otherwise. The child's exit code (1) and printed traceback are as in
        multiprocessing. Raises ValueError before the end."""
        return self._outcome()[1]

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


Usage = collections.namedtuple('Usage', ['user_time', 'system_time', 'max_rss'])
Usage.__doc__ = """Resources an ended child used (Process.usage): CPU seconds in user and
system mode, and the largest resident set size in bytes."""


def _outcome_from_variant(variant):
    if variant is None:
        return (None, None)
    if variant.get_type_string() == '(say)':
        kind = variant.get_child_value(0).get_string()
        if kind in ('python-value', 'python-exception'):
            import pickle
            payload = pickle.loads(variant.get_child_value(1).get_data_as_bytes().get_data())
            if kind == 'python-value':
                return (payload, None)
            exc, text = payload
            if text:
                exc.__cause__ = RemoteTraceback('\n"""\n%s"""' % text)  # as multiprocessing.pool
            return (None, exc)
    return (variant.unpack(), None)  # set by C code or GProcess.set_result()


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

class _ServerProcess(Object):
    """``GProcess.Process`` made while the default start method is 'forkserver'."""
    __gtype_name__ = 'GProcessPyServerProcess'
    # A module outside gi.overrides, or PyGObject would not register a GType for it
    __module__ = 'GProcess'


_ServerProcess.__name__ = _ServerProcess.__qualname__ = 'Process'


class ForkProcess(Object):
    """A GProcess process of the 'fork' context, named ``ForkProcess-N`` as
    multiprocessing's (C:ForkProcess)."""
    __gtype_name__ = 'GProcessPyForkProcess'
    __module__ = 'GProcess'
    _start_method = 'fork'

    def __init__(self, *args, **kwargs):
        if _HAVE_FORKSERVER:
            kwargs['start_method'] = _StartMethod.FORK
        super().__init__(*args, **kwargs)


class ForkServerProcess(Object):
    """A GProcess process of the 'forkserver' context, named ``ForkServerProcess-N`` as
    multiprocessing's (C:ForkServerProcess)."""
    __gtype_name__ = 'GProcessPyForkServerProcess'
    __module__ = 'GProcess'
    _start_method = 'forkserver'

    def __init__(self, *args, **kwargs):
        super().__init__(*args, start_method=_StartMethod.FORKSERVER, **kwargs)


_PROCESS_CLASSES = {'fork': ForkProcess, 'forkserver': ForkServerProcess}
_contexts = {}
_default_start_method = 'fork'   # what set_start_method() set; the library's default is fork
_start_method_set = False


def _make_context(method):
    import multiprocessing.context

    class GProcessContext(multiprocessing.context.BaseContext):
        """A multiprocessing context whose processes are GProcess objects."""
        _name = method
        Process = _PROCESS_CLASSES[method]

        def get_context(self, method=None):
            return self if method is None else get_context(method)   # C:BaseContext

        def get_start_method(self, allow_none=False):
            return self._name

        def get_all_start_methods(self):
            return get_all_start_methods()

        def set_start_method(self, method, force=False):
            raise ValueError('cannot set the start method of a GProcess context')

        def __repr__(self):
            return '<GProcess context %r>' % self._name

    return GProcessContext()


def get_context(method=None):
    """Return a ``multiprocessing`` context whose processes are GProcess objects.

    ``method`` is the start method: ``'fork'`` or ``'forkserver'``; None for the default
    (get_start_method()). The context has the API of ``multiprocessing.get_context(method)``:
    pass it as ``multiprocessing.Pool(context=ctx)``, ``ProcessPoolExecutor(mp_context=ctx)``,
    or call ``ctx.Manager()``, ``ctx.Pool()``, ``ctx.Queue()``, ``ctx.Lock()``,
    ``ctx.Process(...)``. Under 'forkserver', make the multiprocessing objects the children
    get (queues, locks...) with this context. Imports multiprocessing."""
    if method is None:
        method = get_start_method()
    context = _contexts.get(method)
    if context is None:
        if method not in get_all_start_methods():
            raise ValueError('cannot find context for %r' % method) from None  # C:get_context
        context = _contexts[method] = _make_context(method)
        _mp_adopt()
    return context


def get_all_start_methods():
    """Return the start methods GProcess has: ``['fork', 'forkserver']`` (fork first: the
    default)."""
    return ['fork', 'forkserver'] if _HAVE_FORKSERVER else ['fork']


def get_start_method(allow_none=False):
    """Return the default start method of new processes: ``'fork'`` unless
    set_start_method() changed it (None with ``allow_none`` when it was never set)."""
    if allow_none and not _start_method_set:
        return None
    if not _HAVE_FORKSERVER:
        return 'fork'
    return 'forkserver' if GProcess.get_start_method() == _StartMethod.FORKSERVER else 'fork'


def set_start_method(method, force=False):
    """Set the default start method of new processes: ``'fork'`` (the default: the child is
    a fork of the caller, as it is now) or ``'forkserver'`` (the child is made by a fork
    server, an early copy of this process, and is still this process's own child: safe in a
    threaded program, and its cost does not grow with this process's memory).

    Under 'forkserver' the target, args and kwargs (or a subclass's attributes) are pickled as
    multiprocessing does; multiprocessing's Queue, Pipe, Lock, Event, Value and Array pass.
    Call it early, before threads and before the heap grows, and define the Process subclasses
    first: setting 'forkserver' starts the server (as g_process_set_start_method() does in C). As multiprocessing's, it raises
    RuntimeError when called twice without ``force``; setting 'forkserver' also makes it
    multiprocessing's default if the program has not chosen one, so that ``multiprocessing.Queue()``
    and its kin can be passed to the children."""
    global _default_start_method, _start_method_set, _forkserver_used
    if _start_method_set and not force:
        raise RuntimeError('context has already been set')       # C:set_start_method
    if method is None:
        method = 'fork'
    if method not in get_all_start_methods():
        raise ValueError('cannot find context for %r' % method)
    if _HAVE_FORKSERVER:
        if method == 'forkserver':
            # g_process_set_start_method() starts the server: through Python, so that the
            # fork hook lets the server serve
            _start_fork_server()
        GProcess.set_start_method(_StartMethod.FORKSERVER if method == 'forkserver'
                                  else _StartMethod.FORK)
    _default_start_method = method
    _start_method_set = True
    _forkserver_used = _forkserver_used or method == 'forkserver'
    if method == 'forkserver':
        import multiprocessing
        if multiprocessing.get_start_method(allow_none=True) is None:
            multiprocessing.set_start_method('forkserver')


def start_fork_server():
    """Start the fork server now, if it does not run (it starts at the first start() under
    'forkserver' otherwise): the server and its children are copies of this process as it is
    at this call."""
    _start_fork_server()


# ==========================================================================================
# 5. Import-time hooks (all of them)
# ==========================================================================================

Object = override(Object)
# help() and type checkers see the multiprocessing spelling; __name__ stays 'Object', which
# PyGObject's constructors (Object.new()) check.
Object.__qualname__ = 'Process'
Process = Object

GProcess.set_fork_func(_fork_hook)
if _HAVE_FORKSERVER:
    GProcess.set_fork_server_child_func(_forkserver_child)
atexit.register(_exit_function)
