# gprocess_testutil.py: running small real programs for the Python tests
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import select
import signal
import subprocess
import sys
import textwrap
import time

PRELUDE = '''\
import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess
'''


def run_program(testcase, source, timeout=60, env=None, input=None):
    """Runs ``source`` (dedented, after an import of GProcess) in a new /usr/bin/python3 in its
    own session; fails ``testcase`` if it times out or leaves a process behind. Returns the
    CompletedProcess (text mode)."""
    code = PRELUDE + textwrap.dedent(source)
    proc = subprocess.Popen([sys.executable, '-c', code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, start_new_session=True)
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        testcase.fail('program timed out after %ss\nstdout:\n%s\nstderr:\n%s' % (timeout, out, err))
    # Every process of the program is in its session's process group: none may be left once
    # the ones that end with the program (a fork server, multiprocessing's resource tracker)
    # had LINGER seconds to notice
    left = _wait_group_gone(proc.pid, LINGER)
    if left:
        os.killpg(proc.pid, signal.SIGKILL)
        testcase.fail('the program left processes behind: %s\nstdout:\n%s\nstderr:\n%s'
                      % (left, out, err))
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


LINGER = 2.0


def _group_members(pgid):
    members = []
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                with open('/proc/%s/stat' % entry) as f:
                    fields = f.read().rpartition(')')[2].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != 'Z':
                members.append(int(entry))
    return members


def _wait_group_gone(pgid, timeout):
    """Waits (on pidfds, woken by the kernel) up to ``timeout`` seconds for the members of
    process group ``pgid`` to end; returns the pids still there."""
    deadline = time.monotonic() + timeout
    for pid in _group_members(pgid):
        try:
            fd = os.pidfd_open(pid)
        except ProcessLookupError:
            continue
        try:
            select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        finally:
            os.close(fd)
    return _group_members(pgid)
