# context.py: contexts and start methods (multiprocessing/context.py)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""``get_context()`` and the start methods; the default start method is the library's
(g_process_get_start_method()). C = multiprocessing/context.py."""

from . import forkserver, lib, process

_StartMethod = lib.StartMethod
_METHODS = {'fork': _StartMethod.FORK, 'forkserver': _StartMethod.FORKSERVER}
_contexts = {}
_start_method_set = False
# Set by make_process_classes(): the classes of 'fork', 'forkserver', and a plain Process
# made while the default is 'forkserver'
process_classes = {}


def make_process_classes(base):
    """The process classes of the contexts, subclasses of the override's Object."""

    class ForkProcess(base):
        """A GProcess process of the 'fork' context, named ``ForkProcess-N`` as
        multiprocessing's (C:ForkProcess)."""
        __gtype_name__ = 'GProcessPyForkProcess'
        # A module outside gi.overrides, or PyGObject would not register a GType for it
        __module__ = 'GProcess'
        _start_method = 'fork'

        def __init__(self, *args, **kwargs):
            kwargs['start_method'] = _StartMethod.FORK
            super().__init__(*args, **kwargs)

    class ForkServerProcess(base):
        """A GProcess process of the 'forkserver' context, named ``ForkServerProcess-N`` as
        multiprocessing's (C:ForkServerProcess)."""
        __gtype_name__ = 'GProcessPyForkServerProcess'
        __module__ = 'GProcess'
        _start_method = 'forkserver'

        def __init__(self, *args, **kwargs):
            kwargs['start_method'] = _StartMethod.FORKSERVER
            super().__init__(*args, **kwargs)

    class ServerProcess(base):
        """``GProcess.Process`` made while the default start method is 'forkserver'."""
        __gtype_name__ = 'GProcessPyServerProcess'
        __module__ = 'GProcess'

    ServerProcess.__name__ = ServerProcess.__qualname__ = 'Process'
    process_classes.update(fork=ForkProcess, forkserver=ForkServerProcess,
                           server=ServerProcess)
    return ForkProcess, ForkServerProcess


def _make_context(method):
    import multiprocessing.context

    class GProcessContext(multiprocessing.context.BaseContext):
        """A multiprocessing context whose processes are GProcess objects."""
        _name = method
        Process = process_classes[method]

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
        if method not in _METHODS:
            raise ValueError('cannot find context for %r' % method) from None  # C:get_context
        context = _contexts[method] = _make_context(method)
        process.adopt()
    return context


def get_all_start_methods():
    """Return the start methods GProcess has: ``['fork', 'forkserver']`` (fork first: the
    default)."""
    return list(_METHODS)


def get_start_method(allow_none=False):
    """Return the default start method of new processes (g_process_get_start_method()):
    ``'fork'`` unless set_start_method() changed it (None with ``allow_none`` when it was
    never set)."""
    if allow_none and not _start_method_set:
        return None
    return 'forkserver' if lib.get_start_method() == _StartMethod.FORKSERVER else 'fork'


def default_is_forkserver():
    return lib.get_start_method() == _StartMethod.FORKSERVER


def set_start_method(method, force=False):
    """Set the default start method of new processes: ``'fork'`` (the default: the child is
    a fork of the caller, as it is now) or ``'forkserver'`` (the child is made by a fork
    server, an early copy of this process, and is still this process's own child: safe in a
    threaded program, and its cost does not grow with this process's memory).

    Under 'forkserver' the target, args and kwargs (or a subclass's attributes) are pickled as
    multiprocessing does; multiprocessing's Queue, Pipe, Lock, Event, Value and Array pass.
    Call it early, before threads and before the heap grows, and define the Process
    subclasses and target functions first: setting 'forkserver' starts the server (as
    g_process_set_start_method() does in C), and a child can only run what the server has. As
    multiprocessing's, it raises RuntimeError when called twice without ``force``; setting
    'forkserver' also makes it multiprocessing's default if the program has not chosen one,
    so that ``multiprocessing.Queue()`` and its kin can be passed to the children."""
    global _start_method_set
    if _start_method_set and not force:
        raise RuntimeError('context has already been set')       # C:set_start_method
    if method is None:
        method = 'fork'
    if method not in _METHODS:
        raise ValueError('cannot find context for %r' % method)
    if method == 'forkserver':
        # g_process_set_start_method() starts the server: through Python, so that the fork
        # hook lets the server serve
        forkserver.used = True
        forkserver.start_server()
    lib.set_start_method(_METHODS[method])
    _start_method_set = True
    if method == 'forkserver':
        import multiprocessing
        if multiprocessing.get_start_method(allow_none=True) is None:
            multiprocessing.set_start_method('forkserver')


def start_fork_server():
    """Start the fork server now, if it does not run (it starts at the first start() under
    'forkserver' otherwise): the server and its children are copies of this process as it is
    at this call."""
    forkserver.start_server()
