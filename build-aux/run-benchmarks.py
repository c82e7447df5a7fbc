#!/usr/bin/python3
# run-benchmarks.py: runs the benchmark programs listed in BENCHMARKS, prints one table of
# medians, p90, ratios to the baseline measured in the same run (raw fork()+waitpid() for C,
# os.fork() for Python, the bare pidfd prototype for live children) and the page faults per
# operation, checks the targets, and writes the table into docs/performance.md (between its
# table markers: the rest of the page is written by hand) and docs/performance.png (gnuplot).
# Usage: build-aux/run-benchmarks.py [BUILDDIR]
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


def write_docs(text, by_name):
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

    # Round trip against the parent's resident memory, per method
    points = {'raw fork+waitpid': [], 'GProcessObject': [], 'posix_spawn /bin/true': []}
    points['raw fork+waitpid'].append((1, by_name['roundtrip-gprocess-join'][3]))
    points['GProcessObject'].append((1, by_name['roundtrip-gprocess-join'][1]))
    points['posix_spawn /bin/true'].append((1, by_name['roundtrip-posix-spawn-true'][1]))
    for mib in (10, 256, 1024):
        g = by_name['parent-%dMiB-roundtrip-gprocess' % mib]
        s = by_name['parent-%dMiB-roundtrip-posix-spawn' % mib]
        points['raw fork+waitpid'].append((mib, g[3]))
        points['GProcessObject'].append((mib, g[1]))
        points['posix_spawn /bin/true'].append((mib, s[1]))
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
plot for [i=0:2] "%s" index i using 1:2 with linespoints title columnheader(1)
''' % (os.path.join(docs, 'performance.png'), data)
    subprocess.run(['gnuplot'], input=script, text=True, check=True)


def main():
    sections, all_rows = [], []
    for label, cmd, extra_env in BENCHMARKS:
        print('running %s ...' % label, file=sys.stderr)
        rows = run(cmd, extra_env)
        all_rows += rows
        sections.append('**%s**\n\n%s' % (label, table(rows)))
    text = '\n\n'.join(sections)
    print(text)
    write_docs(text, {r[0]: r for r in all_rows})
    print('\nwrote docs/performance.md and docs/performance.png', file=sys.stderr)


if __name__ == '__main__':
    main()
