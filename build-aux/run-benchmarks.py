#!/usr/bin/python3
# run-benchmarks.py: runs the benchmark programs listed in BENCHMARKS, prints one table of
# medians, p90, ratios to the baseline measured in the same run (raw fork()+waitpid() for C,
# os.fork() for Python, the bare pidfd prototype for live children) and the page faults per
# operation, checks the targets, and writes the table into docs/performance.md (between its
# table markers: the rest of the page is written by hand) and docs/performance.png (gnuplot):
# the round trip against the parent's resident memory for raw fork, GProcessObject (fork), the
# fork server cold and with warm children, posix_spawn and multiprocessing's forkserver
# (START_METHODS below).
# Usage: build-aux/run-benchmarks.py [BUILDDIR]
#
# Load: the script prints the load average before and after. Above a load of 1 per CPU it
# prints its tables but does not write the docs, unless BENCH_FORCE=1.
#
# Pinning: every program pins itself to the first CPU it may run on; run this script under
# `taskset -c N` to choose N. BENCH_QUICK=1 runs a quarter of the samples.
#
# To add a benchmark: append to BENCHMARKS a (label, command, environment) entry whose
# program prints tab-separated rows: name, median, p90, baseline median, ratio, and for timed
# rows four fault counts per operation (row child, row parent, baseline child, baseline
# parent); add its targets to TARGETS.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import re
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
builddir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, '_build'))
env = dict(os.environ)
for var, value in (('GI_TYPELIB_PATH', os.path.join(builddir, 'gprocess')),
                   ('LD_LIBRARY_PATH', os.path.join(builddir, 'gprocess')),
                   ('PYTHONPATH', os.path.join(builddir, 'bindings', 'python'))):
    env[var] = value + (':' + env[var] if env.get(var) else '')

BENCH_C = os.path.join(builddir, 'tests', 'performance', 'bench-c')
BENCH_PY = os.path.join(root, 'tests', 'performance', 'bench-python.py')

# (label, command, extra environment)
BENCHMARKS = [
    ('C, one CPU', [BENCH_C], {}),
    ('C resources', [BENCH_C, 'resources'], {'G_SLICE': 'always-malloc'}),
    ('fault cost', [BENCH_C, 'fault-cost'], {}),
    ('Python, one interpreter (gi, GProcess, multiprocessing imported)',
     ['/usr/bin/python3', BENCH_PY], {}),
    ('Python without gi', ['/usr/bin/python3', BENCH_PY, 'no-gi'], {}),
]

# Start methods as the parent grows (0, 64, 512, 2048 MiB): tab-separated rows (method, MiB,
# median us, baseline us, ratio[, parent faults per start]). The baseline is raw
# fork()+waitpid() of a small process, measured in the same paired rounds.
BENCH_SM = os.path.join(builddir, 'tests', 'performance', 'bench-start-methods')
START_METHODS = [
    ('fork server with warm children; raw fork, GProcess fork, posix_spawn', [BENCH_SM, '--tsv']),
    ('fork server without warm children', [BENCH_SM, '--tsv', '--cold']),
    ('multiprocessing', ['/usr/bin/python3',
                         os.path.join(root, 'tests', 'performance', 'bench-start-methods.py'),
                         '--tsv']),
    # The floor under a warm child's start + join (issue 21): a bare pre-forked child
    ('floor: a pre-forked bare child', [os.path.join(builddir, 'tests', 'performance',
                                                     'bench-warm-floor'), '--tsv']),
]
# The process pool's rows (its own benchmark, issue 18): run when the program exists
BENCH_POOL = os.path.join(builddir, 'tests', 'performance', 'bench-pool')
if os.path.exists(BENCH_POOL):
    BENCHMARKS.append(('process pool', [BENCH_POOL], {}))
# Start-method rows plotted in docs/performance.png: label in the plot, row name
PLOTTED = [
    ('raw fork of the parent', 'raw fork'),
    ('GProcessObject (fork)', 'GProcess fork'),
    ('fork server, cold', 'fork server cold spaced'),
    ('fork server, warm children', 'fork server warm spaced'),
    ('posix_spawn /bin/true', 'posix_spawn /bin/true'),
    ("multiprocessing's forkserver", 'multiprocessing forkserver'),
]
if os.environ.get('BENCH_QUICK'):
    for _, cmd in START_METHODS:
        cmd.append('--quick')

# name: [(what, limit)], what: 'ratio', 'value', 'extra-faults' (child + parent over the
# baseline), 'extra-child-faults', 'extra-parent-faults'
TARGETS = {
    'roundtrip-gprocess-join': [('ratio', 1.10), ('extra-faults', 2)],
    'roundtrip-gprocess-join-async': [('ratio', 1.24)],
    'join-wakeup': [('ratio', 1.10)],
    'live-children-1000-per-child': [('ratio', 1.05)],
    'memory-per-live-child-bytes': [('value', 400)],
    'fds-per-live-child': [('value', 1.0)],
    'main-loop-wakeups-while-child-runs': [('value', 0)],
    'python-gprocess': [('ratio', 1.25), ('extra-child-faults', 47), ('extra-parent-faults', 40)],
}


def run(cmd, extra_env=None):
    e = dict(env)
    e.update(extra_env or {})
    out = subprocess.run(cmd, env=e, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        fields = line.split('\t')
        values = [float(v) for v in fields[1:]]
        values += [-1.0] * (8 - len(values))
        rows.append((fields[0], *values))
    return rows


def verdict(name, median, base, ratio, faults):
    child, parent, base_child, base_parent = faults
    if name == 'start-only':
        return 'raw fork + 5 us', 'met' if median <= base + 5 else 'MISSED'
    targets, results = [], []
    for what, limit in TARGETS.get(name, []):
        if what == 'ratio':
            value, text = ratio, '<= %gx' % limit
        elif what == 'value':
            value, text = median, '<= %g' % limit
        elif what == 'extra-faults':
            value, text = child + parent - base_child - base_parent, 'faults <= +%g' % limit
        elif what == 'extra-child-faults':
            value, text = child - base_child, 'child faults <= +%g' % limit
        else:
            value, text = parent - base_parent, 'parent faults <= +%g' % limit
        targets.append(text)
        results.append('met' if value <= limit else 'MISSED')
    return ', '.join(targets), ', '.join(results)


def fmt_faults(child, parent):
    return '' if child < 0 else '%.1f / %.1f' % (child, parent)


def table(rows):
    lines = ['| row | median | p90 | baseline median | ratio | faults child / parent | '
             'baseline faults | extra faults | target | |', '|' + '---|' * 10]
    for name, median, p90, base, ratio, *faults in rows:
        unit = '' if re.search('bytes|fds|wakeups', name) else ' us'
        child, parent, base_child, base_parent = faults
        extra = '' if child < 0 or base_child < 0 else '%+.1f / %+.1f' % (
            child - base_child, parent - base_parent)
        target, ok = verdict(name, median, base, ratio, faults)
        lines.append('| %s | %.1f%s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            name, median, unit, ('%.1f%s' % (p90, unit)) if p90 else '',
            ('%.1f%s' % (base, unit)) if base else '', ('%.2fx' % ratio) if ratio else '',
            fmt_faults(child, parent), fmt_faults(base_child, base_parent), extra, target, ok))
    return '\n'.join(lines)


def run_start_methods():
    rows = []
    for label, cmd in START_METHODS:
        print('running start methods: %s ...' % label, file=sys.stderr)
        out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            f = line.split('\t')
            rows.append((f[0], int(f[1]), float(f[2]), float(f[3]), float(f[4]),
                         float(f[5]) if len(f) > 5 else None))
    return rows


def start_methods_table(rows):
    lines = ['| start method | parent RSS MiB | median us | baseline us | ratio | '
             'parent faults per start |', '|' + '---|' * 6]
    for name, mib, median, base, ratio, faults in rows:
        lines.append('| %s | %d | %.1f | %.1f | %.2fx | %s |' % (
            name, mib, median, base, ratio, '' if faults is None else '%.2f' % faults))
    return '\n'.join(lines)


def load_line():
    one, five, fifteen = os.getloadavg()
    return one, 'load average %.2f %.2f %.2f on %d CPUs' % (one, five, fifteen, os.cpu_count())


def write_docs(text, sm_rows):
    docs = os.path.join(root, 'docs')
    path = os.path.join(docs, 'performance.md')
    begin, end = '<!-- benchmark table: written by build-aux/run-benchmarks.py -->', '<!-- end of table -->'
    page = open(path).read() if os.path.exists(path) else ''
    if begin in page and end in page:
        page = page[:page.index(begin) + len(begin)] + '\n' + text + '\n' + page[page.index(end):]
    else:
        page = '# GProcess performance\n\n%s\n%s\n%s\n' % (begin, text, end)
    with open(path, 'w') as f:
        f.write(page)

    # Round trip against the parent's resident memory, per method (0 MiB is drawn at 1)
    points = {label: [] for label, _ in PLOTTED}
    for label, name in PLOTTED:
        for row_name, mib, median, *_ in sm_rows:
            if row_name == name:
                points[label].append((max(mib, 1), median))
    data = os.path.join(builddir, 'performance.dat')
    with open(data, 'w') as f:
        for label, pts in points.items():
            f.write('"%s"\n' % label)
            for mib, us in pts:
                f.write('%d %.1f\n' % (mib, us))
            f.write('\n\n')
    script = '''
set terminal pngcairo size 800,500 noenhanced
set output "%s"
set logscale xy
set xlabel "parent resident memory (MiB; 1 = none added)"
set ylabel "start + join round trip (us, median, one CPU)"
set key left top
set grid
plot for [i=0:%d] "%s" index i using 1:2 with linespoints title columnheader(1)
''' % (os.path.join(docs, 'performance.png'), len(PLOTTED) - 1, data)
    subprocess.run(['gnuplot'], input=script, text=True, check=True)


def main():
    sections, all_rows = [], []
    load_before, before = load_line()
    for label, cmd, extra_env in BENCHMARKS:
        print('running %s ...' % label, file=sys.stderr)
        rows = run(cmd, extra_env)
        all_rows += rows
        sections.append('**%s**\n\n%s' % (label, table(rows)))
    sm_rows = run_start_methods()
    sections.append('**Start methods as the parent grows** (start + join; "spaced": starts '
                    '3 ms apart, "tight": back to back; "start()": the parent\'s start alone)'
                    '\n\n%s' % start_methods_table(sm_rows))
    load_after, after = load_line()
    sections.insert(0, 'Measured at %s (before) and %s (after).' % (before, after))
    text = '\n\n'.join(sections)
    print(text)
    if max(load_before, load_after) > os.cpu_count() and os.environ.get('BENCH_FORCE') != '1':
        print('\nload above 1 per CPU: docs/performance.md and docs/performance.png not '
              'written (BENCH_FORCE=1 writes them anyway)', file=sys.stderr)
        return
    write_docs(text, sm_rows)
    print('\nwrote docs/performance.md and docs/performance.png', file=sys.stderr)


if __name__ == '__main__':
    main()
