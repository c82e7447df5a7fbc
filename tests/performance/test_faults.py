#!/usr/bin/python3
# test_faults.py: the page-fault budget of a Python round trip (GProcess.Process start + join)
#
# Not a timing test: it counts minor page faults (getrusage(), ru_minflt), which do not depend
# on the machine's load. GProcess.Process round trips are compared with os.fork() + os._exit()
# + os.waitpid() in the same interpreter (same imports, same memory), the parent
# (RUSAGE_SELF) and the children (RUSAGE_CHILDREN) separately, and the extra faults per round
# trip are asserted against the budgets below. The interpreter's own allocations move the
# counts by a few faults from batch to batch: the median of several batches is compared.
# Meaningless under valgrind (suite no-valgrind).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import resource
import statistics
import unittest

import gi
gi.require_version('GProcess', '1.0')
from gi.repository import GProcess  # noqa: E402

BATCHES = 5
ROUND_TRIPS = 40

# Extra faults per round trip over os.fork(), measured on Debian 12 (Python 3.11,
# PyGObject 3.42, GLib 2.74; multiprocessing not imported): child +44 to +49 since the
# override's diet (GProcess.exit bound once, os._exit when the child started no child; +91
# before), parent +91 to +100 (the result/exception machinery of issue 13 added a few), plus
# a margin for the interpreter's noise. Issue 11 targets +47 (child) and +40 (parent): see
# docs/performance.md for where the faults go and what the override can still drop (then
# lower these).
BUDGET_CHILD = 60
BUDGET_PARENT = 110


def noop():
    pass


def os_fork_round_trip():
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)


def gprocess_round_trip():
    p = GProcess.Process(target=noop)
    p.start()
    p.join()


def count_faults(round_trip, n):
    self0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
    for _ in range(n):
        round_trip()
    self1 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
    return (children1 - children0) / n, (self1 - self0) / n


class FaultBudget(unittest.TestCase):
    def test_round_trip_faults_within_budget(self):
        for _ in range(20):   # warm-up: imports, caches, the allocator's arenas
            os_fork_round_trip()
            gprocess_round_trip()
        extra_child, extra_parent = [], []
        for _ in range(BATCHES):
            raw_child, raw_parent = count_faults(os_fork_round_trip, ROUND_TRIPS)
            g_child, g_parent = count_faults(gprocess_round_trip, ROUND_TRIPS)
            print('os.fork child %.1f parent %.1f; GProcess.Process child %.1f parent %.1f'
                  % (raw_child, raw_parent, g_child, g_parent))
            extra_child.append(g_child - raw_child)
            extra_parent.append(g_parent - raw_parent)
        child = statistics.median(extra_child)
        parent = statistics.median(extra_parent)
        print('extra per round trip: child %+.1f (budget %d), parent %+.1f (budget %d)'
              % (child, BUDGET_CHILD, parent, BUDGET_PARENT))
        self.assertLessEqual(child, BUDGET_CHILD)
        self.assertLessEqual(parent, BUDGET_PARENT)


if __name__ == '__main__':
    unittest.main(verbosity=2)
