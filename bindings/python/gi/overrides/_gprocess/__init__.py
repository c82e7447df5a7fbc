# _gprocess: the multiprocessing side of GProcess's PyGObject override
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The multiprocessing side of ``gi.repository.GProcess`` (private: import GProcess).

``gi/overrides/GProcess.py`` is the GObject sugar (constructor keywords, properties,
``join(timeout)``, GError to exceptions, ``create_source``, the import-time hooks). This
package holds the rest, laid out as CPython's ``multiprocessing``; each module imports only
the ones above it in this list, and the override imports them all:

``_cpython``
    everything that touches CPython's internals: private attributes of ``multiprocessing``
    and ``threading``, ``PyOS_AfterFork_Child``. Nothing else names a private stdlib name.
``util``
    standard streams, logging, which process started children (``multiprocessing.util``).
``process``
    the multiprocessing mimicry: its exceptions for the library's errors, what
    multiprocessing reads of a process (``_popen``, ``_config``), ``current_process()``...
    (``multiprocessing.process``).
``results``
    what crosses by pickle: the child's result and exception, the fork server's payload
    (``multiprocessing.reduction``).
``forkserver``
    the fork server: starting it, pickling a process for it, what it refuses
    (``multiprocessing.forkserver``).
``popen``
    ``start()`` and the one way into the child, ``bootstrap()``, entered from the library's
    fork or from a fork-server child (``multiprocessing.popen_fork``,
    ``popen_forkserver``).
``context``
    contexts and start methods (``multiprocessing.context``).

A module for GProcessPool's ``concurrent.futures`` executor (issue 18) belongs after
``context`` (``concurrent.futures.process``), with its public names re-exported by the
override and listed in the stub.

Names here are the package's own API between its modules and the override; the public names
are those of ``gi.repository.GProcess``.
"""

from gi.module import get_introspection_module

# The introspection module (C functions, no override): the override is built on this package
lib = get_introspection_module('GProcess')


class _Namespace(type(lib)):
    """GProcess.ProcessPoolExecutor and GProcess.WorkerLostError (pool.py) are imported on
    first use: they import concurrent.futures.process, and with it multiprocessing."""

    def __getattr__(self, name):
        if name in ('ProcessPoolExecutor', 'WorkerLostError'):
            from . import pool
            return getattr(pool, name)
        return super().__getattr__(name)


lib.__class__ = _Namespace
