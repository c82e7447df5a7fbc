# gprocess_testutil.py: running small real programs for the Python tests
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import signal
import subprocess
import sys
import textwrap

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
    # Every process of the program is in its session's process group: none may be left
    try:
        os.killpg(proc.pid, 0)
    except ProcessLookupError:
        pass
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        testcase.fail('the program left processes behind\nstdout:\n%s\nstderr:\n%s' % (out, err))
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
