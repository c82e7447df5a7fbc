#!/usr/bin/python3
# check-doc-class-page.py: every method of a class is documented on the class's own page
#
#   check-doc-class-page.py DECL_FILE HTML_PAGE PREFIX...
#
# DECL_FILE is gtkdoc-scan's <module>-decl.txt (every declaration in the public headers);
# HTML_PAGE the class's page (html/GProcessObject.html). Every function whose name starts with
# one of the PREFIXes (g_process_object_) must have its anchor (its documentation) on that page:
# gtk-doc files a symbol under the section of the header that declares it, unless
# <module>-sections.txt says otherwise, and a reader of the class page does not find methods
# documented elsewhere. Exits 1 and names each method documented elsewhere or not at all.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import re
import sys


def main(argv):
    if len(argv) < 3:
        print(__doc__ if __doc__ else 'usage: DECL_FILE HTML_PAGE PREFIX...', file=sys.stderr)
        return 2
    decl_file, page, prefixes = argv[0], argv[1], argv[2:]
    with open(decl_file, encoding='utf-8') as f:
        decls = f.read()
    functions = sorted(set(re.findall(r'<FUNCTION>\s*<NAME>([^<]+)</NAME>', decls)))
    methods = [f for f in functions if f.startswith(tuple(prefixes)) and not f.endswith('_get_type')]
    with open(page, encoding='utf-8') as f:
        html = f.read()
    anchors = set(re.findall(r'<a name="([^"]+)"', html)) | set(re.findall(r'\bid="([^"]+)"', html))
    missing = [m for m in methods if m.replace('_', '-') not in anchors]
    for m in missing:
        print('%s: %s() is not documented on this page' % (page, m))
    print('%d methods, %d not on the class page' % (len(methods), len(missing)))
    if not methods:
        print('no function starts with %s in %s' % (' or '.join(prefixes), decl_file))
        return 1
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
