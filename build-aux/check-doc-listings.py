#!/usr/bin/python3
# check-doc-listings.py: a listing in the reference that shows an example file is that file
#
#   check-doc-listings.py [--update] SOURCE_ROOT DOCBOOK_FILE...
#
# A chapter marks such a listing with a comment right before it:
#     <!-- listing: examples/sum-worker.c … -->
#     <informalexample><programlisting language="C"><![CDATA[ … ]]></programlisting>
# The listing must be the file from its first #include line to its end (the file's header
# comment is left out). The example is built and run by `meson test`, so the code the manual
# shows is code that compiles and works. Exits 1 on a difference; --update rewrites the
# listings from the files instead.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import re
import sys

MARKED = re.compile(r'(<!-- listing: (\S+)[^>]*-->\s*<informalexample><programlisting[^>]*>'
                    r'<!\[CDATA\[)(.*?)(\]\]>)', re.DOTALL)


def body(path):
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    start = next(i for i, line in enumerate(lines) if line.startswith('#include'))
    return '\n'.join(lines[start:]).strip('\n')


def main(argv):
    update = argv[:1] == ['--update']
    if update:
        argv = argv[1:]
    root, files = argv[0], argv[1:]
    problems = checked = 0
    for doc in files:
        with open(doc, encoding='utf-8') as f:
            text = f.read()

        def repl(m):
            nonlocal problems, checked
            checked += 1
            expected = body(root + '/' + m.group(2))
            if m.group(3).strip('\n') != expected:
                problems += 1
                if not update:
                    print('%s: the listing of %s differs from the file (run %s --update)'
                          % (doc, m.group(2), sys.argv[0]))
            return m.group(1) + '\n' + expected + '\n' + m.group(4)

        new = MARKED.sub(repl, text)
        if update and new != text:
            with open(doc, 'w', encoding='utf-8') as f:
                f.write(new)
    print('%d listings checked, %d differ%s' % (checked, problems, ' (updated)' if update else ''))
    if checked == 0:
        return 1
    return 0 if update or not problems else 1


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
