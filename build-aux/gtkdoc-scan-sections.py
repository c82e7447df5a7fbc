#!/usr/bin/python3
# gtkdoc-scan-sections.py: gtkdoc-scan, then every method of a class filed on the class's page
#
# gtkdoc-scan --rebuild-sections files each symbol under the section of the header that
# declares it, so g_process_object_stop() (gprocess-lifecycle.h) or
# g_process_object_set_args() (gprocess-start-method.h) were documented on pages of their
# own, not on GProcessObject's. docs/reference/meson.build makes gnome.gtkdoc() run this
# script in place of gtkdoc-scan (meson.override_find_program): it runs the real gtkdoc-scan
# with the same arguments, then moves every symbol that starts with one of the prefixes below
# into the section of its class, after the symbols already there. New headers and symbols
# need no list to be kept up to date; the doc-class-page test checks the result.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import os
import re
import subprocess
import sys

# symbol prefix -> the <FILE> of the section that documents the class
CLASS_SECTIONS = {
    'g_process_object_': 'gprocess-object',
}


def real_scan():
    me = os.path.realpath(__file__)
    for d in os.environ.get('PATH', '/usr/bin').split(os.pathsep):
        candidate = os.path.join(d, 'gtkdoc-scan')
        if os.path.isfile(candidate) and os.path.realpath(candidate) != me:
            return candidate
    sys.exit('gtkdoc-scan-sections.py: gtkdoc-scan not found in PATH')


def regroup(text):
    sections = re.findall(r'<SECTION>\n(.*?)</SECTION>', text, re.DOTALL)
    parsed = []   # [file, [lines]]
    for body in sections:
        lines = [line for line in body.split('\n') if line.strip()]
        name = next((re.sub(r'</?FILE>', '', l) for l in lines if l.startswith('<FILE>')), None)
        parsed.append([name, lines])
    targets = {f: lines for f, lines in parsed}
    for prefix, target in CLASS_SECTIONS.items():
        if target not in targets:
            continue
        for name, lines in parsed:
            if name == target:
                continue
            moved = [l for l in lines if l.startswith(prefix)]
            for l in moved:
                lines.remove(l)
                targets[target].append(l)
    out = []
    for name, lines in parsed:
        # A section left with no symbol keeps its page (its long description) all the same
        out.append('<SECTION>\n' + '\n'.join(lines) + '\n</SECTION>\n')
    return '\n'.join(out)


def main(argv):
    rc = subprocess.call([real_scan()] + argv)
    if rc != 0:
        return rc
    module = next((a.split('=', 1)[1] for a in argv if a.startswith('--module=')), None)
    output_dir = next((a.split('=', 1)[1] for a in argv if a.startswith('--output-dir=')), '.')
    if module is None or '--rebuild-sections' not in argv:
        return 0
    path = os.path.join(output_dir, module + '-sections.txt')
    with open(path, encoding='utf-8') as f:
        text = f.read()
    new = regroup(text)
    if new != text:
        with open(path, 'w', encoding='utf-8') as f:
            f.write(new)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
