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


def pickle_state(proc):
    """Pickles the process's Python state, as multiprocessing's forkserver does (objects of
    multiprocessing pass their descriptors); returns (bytes, descriptors)."""
    from multiprocessing import reduction
    state = {k: v for k, v in proc.__dict__.items() if not k.startswith('_gprocess_')}
    spawning = Spawning()
    buf = io.BytesIO()
    with _cpython.spawning_popen(spawning):
        reduction.dump(state, buf)
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
