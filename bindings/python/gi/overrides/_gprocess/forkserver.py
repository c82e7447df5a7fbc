# forkserver.py: the fork server, from Python (multiprocessing/forkserver.py)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The fork server (issue 12). The server itself is an os.fork() of this process (the library
forks it through the fork hook, popen.fork_hook), so it is a clean Python child; each child it
makes first runs ``server_child()`` (the interpreter's after-fork handling, as os.fork() gives
it), then the library rebuilds the object (a Python class's instance: its GType existed when
the server started) and calls its run vfunc, ``popen.forkserver_entry()``, which restores the
object's Python state from the "args" property (pickled here by ``prepare()``)."""

import functools
import io
import sys
import types

from gi.repository import GLib

from . import _cpython, lib, process, results, util

used = False          # whether this program asked for the fork server, in any way
in_server_child = False
rebuilding = False    # in a fork-server child, while the library rebuilds the object
entered = False       # in a fork-server child, once its life has begun
inherited_fds = ()    # in a fork-server child: the descriptors that came with the request


def server_child(*_user_data):
    """g_process_set_fork_server_child_func(), set at import time by the override."""
    global in_server_child, rebuilding
    try:
        _cpython.after_fork_child()
        util.starting.server = False
        in_server_child = rebuilding = True
    except BaseException:
        # Called by C, which cannot see a Python exception: the child ends here, not silently
        util.die('a fork-server child')


def skipped_while_rebuilding(init):
    """A subclass's __init__, which PyGObject calls without arguments when the library
    rebuilds the object in a fork-server child: skipped there (the object's state comes
    pickled)."""
    @functools.wraps(init)
    def __init__(self, *args, **kwargs):
        if not rebuilding:
            init(self, *args, **kwargs)
    return __init__


class DupFd:
    """A descriptor that travels with a fork-server request (as multiprocessing's
    popen_forkserver._DupFd): its index among the request's descriptors."""

    def __init__(self, index):
        self.index = index

    def detach(self):
        return inherited_fds[self.index]


class Spawning:
    """What multiprocessing's pickling asks while start() pickles a process for the fork
    server (context.get_spawning_popen(): popen_forkserver.Popen): the descriptors to pass."""

    DupFd = DupFd

    def __init__(self):
        self.fds = []

    def duplicate_for_child(self, fd):
        self.fds.append(fd)
        return len(self.fds) - 1


# What the running server's copy of the program has: {module name: {name: function or
# class}} of the modules loaded when it was forked (snapshot(), called by the fork hook just
# before the server's fork). Only functions and classes are kept: they are what pickle
# refers to by name.
_server_has = None
_DEFINITION = (types.FunctionType, type)


def snapshot():
    global _server_has
    _server_has = None   # unknown: nothing is refused
    has = {}
    try:
        for name, module in list(sys.modules.items()):
            namespace = getattr(module, '__dict__', None)
            if isinstance(namespace, dict):
                has[name] = {k: v for k, v in list(namespace.items())
                             if isinstance(v, _DEFINITION)}
    except Exception:
        return
    _server_has = has


def _not_in_server(obj):
    """Why the server's copy of the program cannot resolve ``obj`` (a function or class that
    pickle refers to by name), or None when it can."""
    module, qualname = getattr(obj, '__module__', None), getattr(obj, '__qualname__', None)
    if _server_has is None or not isinstance(qualname, str) or module not in _server_has or \
            '<' in qualname:
        # A module loaded later: the child imports it as pickle asks; a lambda or a local
        # function: pickle itself refuses it
        return None
    top = qualname.partition('.')[0]
    if top not in _server_has[module]:
        return '%s.%s was defined after the fork server started' % (module, qualname)
    if _server_has[module][top] is not getattr(sys.modules.get(module), top, None):
        return '%s.%s was redefined after the fork server started (the server has the ' \
               'old one)' % (module, qualname)
    return None


def _refuse(proc, why):
    raise results.NotTransferableError(
        "cannot start %r with the fork server: %s; define the functions and classes the "
        "child needs before the server starts (set_start_method('forkserver'), "
        "start_fork_server() or the first start under 'forkserver')" % (proc, why)) from None


def pickle_state(proc):
    """Pickles the process's Python state, as multiprocessing's forkserver does (objects of
    multiprocessing pass their descriptors), checking that every function and class it refers
    to by name resolves in the server; returns (bytes, descriptors)."""
    from multiprocessing import reduction

    class Pickler(reduction.ForkingPickler):
        def reducer_override(self, obj):
            if isinstance(obj, _DEFINITION):
                why = _not_in_server(obj)
                if why is not None:
                    _refuse(proc, why)
            return NotImplemented

    state = {k: v for k, v in proc.__dict__.items() if not k.startswith('_gprocess_')}
    spawning = Spawning()
    buf = io.BytesIO()
    with _cpython.spawning_popen(spawning):
        try:
            Pickler(buf).dump(state)
        except results.NotTransferableError:
            raise
        except Exception as e:
            raise results.NotTransferableError(
                'cannot start %r with the fork server: its target, arguments or attributes '
                'do not pickle (%s: %s)' % (proc, type(e).__name__, e)) from e
    return buf.getvalue(), spawning.fds


def start_server():
    """g_process_start_fork_server(), marked so that the fork hook lets the server serve."""
    # What every child of the server needs, loaded once, in the server
    from multiprocessing import context, reduction  # noqa: F401
    util.flush_std_streams()   # or the server's copy of the buffers would be printed again
    util.starting.server = True
    try:
        lib.start_fork_server()
    except GLib.Error as e:
        process.raise_for(e, 'start')
    finally:
        util.starting.server = False


def prepare(proc):
    """Under 'forkserver', what crosses beyond the library's properties: the Python state
    (target, args, kwargs, the subclass's attributes), pickled into "args", with the
    descriptors of multiprocessing objects."""
    if type(proc).__gtype__ == lib.Object.__gtype__:
        raise ValueError('only GProcess.Process objects made under the forkserver start '
                         'method (or subclasses, or a forkserver context) can be started '
                         'with it')
    data, fds = pickle_state(proc)
    lib.Object.set_args(proc, results.bytes_variant(data))
    lib.Object.set_fds(proc, fds)
    start_server()  # started here, by Python, if it does not run
