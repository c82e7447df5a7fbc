# results.py: what crosses by pickle (multiprocessing/reduction.py)
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""What the child's run() returned or raised, for the parent's ``result`` and ``exception``
(issue 13): pickled into a GVariant ``(say)`` through g_process_set_result(), only when
there is one."""

import sys
import traceback

from gi.repository import GLib

from . import _cpython, lib, process

class RemoteTraceback(Exception):
    """The ``__cause__`` of an exception re-created from a child: its traceback text, as
    ``multiprocessing.pool`` attaches it (multiprocessing.pool.RemoteTraceback)."""

    def __init__(self, tb):
        super().__init__(tb)
        self.tb = tb

    def __str__(self):
        return self.tb


RemoteTraceback.__module__ = 'gi.repository.GProcess'


class NotTransferableError(ValueError, _cpython.PicklingError):
    """start() under the fork server: what the child needs cannot reach it
    (G_PROCESS_ERROR_NOT_TRANSFERABLE): a target, argument or attribute that does not pickle,
    or a function or class that the server's copy of the program does not have (defined, or
    redefined, after the server started). The message says which and what to do; ``code``
    is ``GProcess.Error.NOT_TRANSFERABLE``, ``domain`` the GProcess error domain."""

    code = lib.Error.NOT_TRANSFERABLE
    domain = process.ERROR_DOMAIN


NotTransferableError.__module__ = 'gi.repository.GProcess'


def bytes_variant(data):
    # Built from bytes: a Variant('ay', ...) from a list would make one GVariant per byte
    return GLib.Variant.new_from_bytes(GLib.VariantType('ay'), GLib.Bytes.new(data), True)


def set_outcome(kind, payload):
    """Records the child's result; returns whether it was recorded."""
    import pickle
    try:
        data = pickle.dumps(payload, pickle.HIGHEST_PROTOCOL)
    except Exception as e:  # an unpicklable value: the parent learns why
        kind = 'python-exception'
        data = pickle.dumps((TypeError('the result could not be pickled: %r' % e), ''))
    try:
        lib.set_result(GLib.Variant.new_tuple(GLib.Variant('s', kind), bytes_variant(data)))
    except Exception as e:  # the exit code stands
        sys.stderr.write('GProcess: the result could not be recorded: %r\n' % e)
        return False
    return True


def set_outcome_exception():
    """The exception being handled, for the parent's ``exception``; returns whether it was
    recorded."""
    import pickle
    exc = sys.exc_info()[1]
    text = ''.join(traceback.format_exception(exc))
    try:
        pickle.loads(pickle.dumps(exc, pickle.HIGHEST_PROTOCOL))
    except Exception:
        exc = Exception('%s: %s' % (type(exc).__qualname__, exc))
    try:
        return set_outcome('python-exception', (exc, text))
    except BaseException:
        return False  # the exit code and the printed traceback stand


def outcome_from_variant(variant):
    """(result, exception) from the child's result GVariant."""
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


def outcome(proc):
    """(result, exception) of an ended child, made once: ValueError before the end."""
    made = proc.__dict__.get('_gprocess_outcome')
    if made is not None:
        return made
    try:
        variant = lib.Object.get_result(proc)
    except GLib.Error as e:
        if e.domain == process.ERROR_DOMAIN and e.code in (
                process.Error.NOT_STARTED, process.Error.STILL_RUNNING, process.Error.CLOSED):
            process.raise_for(e, 'result')
        made = (None, e)   # the child's GError (g_process_set_error())
    else:
        made = outcome_from_variant(variant)
    proc.__dict__['_gprocess_outcome'] = made
    return made
