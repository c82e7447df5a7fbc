#!/usr/bin/python3
# run-benchmarks.py: runs the C and Python benchmarks, prints one table of medians, p90 and
# ratios to the baseline measured in the same run (raw fork()+waitpid() for C, os.fork() for
# Python), checks the targets, and writes docs/performance.md and docs/performance.png
# (gnuplot). Usage: build-aux/run-benchmarks.py [BUILDDIR]
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import subprocess
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
builddir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, '_build'))
env = dict(os.environ)
for var, value in (('GI_TYPELIB_PATH', os.path.join(builddir, 'gprocess')),
                   ('LD_LIBRARY_PATH', os.path.join(builddir, 'gprocess')),
                   ('PYTHONPATH', os.path.join(root, 'bindings', 'python'))):
    env[var] = value + (':' + env[var] if env.get(var) else '')

TARGETS = {
    'roundtrip-gprocess-join': ('ratio', 1.10),
    'roundtrip-gprocess-join-async': ('ratio', 1.24),
    'join-wakeup': ('ratio', 1.10),
    'live-children-1000-per-child': ('ratio', 1.15),
    'memory-per-live-child-bytes': ('value', 400),
    'fds-per-live-child': ('value', 1.0),
    'main-loop-wakeups-while-child-runs': ('value', 0),
    'python-gprocess': ('ratio', 1.5),
}


def run(cmd, extra_env=None):
    e = dict(env)
    e.update(extra_env or {})
    out = subprocess.run(cmd, env=e, check=True, capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        name, median, p90, base, ratio = line.split('\t')
        rows.append((name, float(median), float(p90), float(base), float(ratio)))
    return rows


def verdict(name, median, base, ratio):
    if name == 'start-only':
        return 'met' if median <= base + 5 else 'MISSED', 'raw fork + 5 us'
    if name not in TARGETS:
        return '', ''
    kind, limit = TARGETS[name]
    value = ratio if kind == 'ratio' else median
    return ('met' if value <= limit else 'MISSED'), ('<= %gx' % limit if kind == 'ratio' else '<= %g' % limit)


def main():
    bench_c = os.path.join(builddir, 'tests', 'performance', 'bench-c')
    bench_py = os.path.join(root, 'tests', 'performance', 'bench-python.py')
    print('running the C benchmark (one CPU) ...', file=sys.stderr)
    pinned = run([bench_c])
    pinned += run([bench_c, 'resources'], {'G_SLICE': 'always-malloc'})
    print('running the C benchmark (unpinned) ...', file=sys.stderr)
    unpinned = {r[0]: r for r in run([bench_c], {'BENCH_PIN': '0', 'BENCH_QUICK': '1'})}
    print('running the Python benchmark (one CPU) ...', file=sys.stderr)
    python_rows = run(['/usr/bin/python3', bench_py])

    header = '| row | median | p90 | baseline median | ratio | unpinned median (ratio) | target | |'
    lines = [header, '|' + '---|' * 8]
    for name, median, p90, base, ratio in pinned + python_rows:
        unit = '' if ('bytes' in name or 'fds' in name or 'wakeups' in name) else ' us'
        u = unpinned.get(name)
        unp = '%.1f%s (%.2fx)' % (u[1], unit, u[4]) if u and u[4] else ''
        ok, target = verdict(name, median, base, ratio)
        lines.append('| %s | %.1f%s | %s | %s | %s | %s | %s | %s |' % (
            name, median, unit, ('%.1f%s' % (p90, unit)) if p90 else '',
            ('%.1f us' % base) if base else '', ('%.2fx' % ratio) if ratio else '', unp, target, ok))
    table = '\n'.join(lines)
    print(table)

    docs = os.path.join(root, 'docs')
    with open(os.path.join(docs, 'performance.md'), 'w') as f:
        f.write('# GProcess performance\n\nMade by `build-aux/run-benchmarks.py` on a 2-vCPU Debian 12 VM. '
                'Baselines are measured in the same run, in blocks interleaved with each row: raw '
                '`fork()`+`_exit()`+`waitpid()` for C rows, `os.fork()`+`os.waitpid()` for Python rows. '
                'The process and its children are pinned to one CPU except in the "unpinned" column.\n\n')
        f.write(table + '\n\n![Round trip against parent memory](performance.png)\n')

    # Round trip against the parent's resident memory, per method
    points = {'raw fork+waitpid': [], 'GProcessObject': [], 'posix_spawn /bin/true': []}
    by_name = {r[0]: r for r in pinned}
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
    print('\nwrote docs/performance.md and docs/performance.png', file=sys.stderr)


if __name__ == '__main__':
    main()
