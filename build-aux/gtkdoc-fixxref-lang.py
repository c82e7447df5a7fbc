#!/usr/bin/python3
# gtkdoc-fixxref-lang.py: gtkdoc-fixxref, then each listing highlighted in its own language
#
# gtk-doc 1.33's gtkdoc-fixxref highlights every <informalexample><programlisting> with one
# lexer, --src-lang (C): the DocBook "language" attribute does not reach the HTML (see the FIXME
# in gtkdoc/fixxref.py). Python and JavaScript listings then show red error boxes for each ' and
# #, and 'gi://GObject' as a comment. docs/reference/meson.build makes gnome.gtkdoc() run this
# script in its place (meson.override_find_program), so it runs in the build and again in the
# install step. It runs the real gtkdoc-fixxref with the same arguments, then reads the
# languages from the DocBook that gtkdoc-mkdb wrote (xml/*.xml: <programlisting language="...">,
# from a chapter or from a |[<!-- language="Python" --> block in a doc comment), finds each of
# those listings in the HTML by its text, and highlights it again with that language's Pygments
# lexer. Listings without a language, or in C, are left as gtkdoc-fixxref made them (with its
# links to the symbols). language="plain" (or "none", "text") gives plain text.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import glob
import html
import os
import re
import shutil
import subprocess
import sys

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

PLAIN = {'plain', 'none', 'text'}
LISTING = re.compile(r'(<td class="listing_code"><pre class="programlisting">)(.*?)(</pre></td>)',
                     re.DOTALL)


def real_fixxref():
    me = os.path.realpath(__file__)
    for d in os.environ.get('PATH', '/usr/bin').split(os.pathsep):
        candidate = os.path.join(d, 'gtkdoc-fixxref')
        if os.path.isfile(candidate) and os.path.realpath(candidate) != me:
            return candidate
    sys.exit('gtkdoc-fixxref-lang.py: gtkdoc-fixxref not found in PATH')


def key(text):
    """A listing's printed text without its white space, to match DocBook and HTML."""
    return re.sub(r'\s+', '', text)


def html_text(markup):
    """The text of an HTML listing: the markup taken out, then the entities decoded."""
    return html.unescape(re.sub(r'<[^>]*>', '', markup))


def source_text(docbook):
    """The text of a programlisting as it is printed (CDATA kept verbatim, markup removed)."""
    out = []
    for i, part in enumerate(re.split(r'<!\[CDATA\[(.*?)\]\]>', docbook, flags=re.DOTALL)):
        out.append(part if i % 2 else html.unescape(re.sub(r'<[^>]*>', '', part)))
    return ''.join(out)


def languages(xml_dir):
    """{key(listing): language} for every DocBook listing with a language other than C."""
    found = {}
    for path in glob.glob(os.path.join(xml_dir, '*.xml')):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        for m in re.finditer(r'<programlisting\b([^>]*)>(.*?)</programlisting>', text, re.DOTALL):
            lang = re.search(r'\blanguage="([^"]*)"', m.group(1))
            if lang and lang.group(1).lower() != 'c':
                found[key(source_text(m.group(2)))] = lang.group(1).lower()
    return found


def rehighlight(html_dir, langs):
    formatter = HtmlFormatter(nowrap=True)
    for path in glob.glob(os.path.join(html_dir, '*.html')):
        with open(path, encoding='utf-8') as f:
            page = f.read()

        def repl(m):
            # The text as gtkdoc-fixxref printed it (indent cut, links dropped)
            code = html_text(m.group(2))
            lang = langs.get(key(code))
            if lang is None:
                return m.group(0)
            if lang in PLAIN:
                body = html.escape(code, quote=False)
            else:
                try:
                    lexer = get_lexer_by_name(lang)
                except ClassNotFound:
                    print('%s: no Pygments lexer for language="%s"' % (path, lang), file=sys.stderr)
                    return m.group(0)
                body = highlight(code, lexer, formatter).rstrip('\n')
            # The language as a class too, for the doc-render test (and for a style sheet)
            opening = m.group(1).replace('"programlisting"', '"programlisting %s"'
                                         % re.sub(r'[^a-z0-9_-]', '', lang))
            return opening + body + m.group(3)

        new = LISTING.sub(repl, page)
        if new != page:
            with open(path, 'w', encoding='utf-8') as f:
                f.write(new)


def main(argv):
    rc = subprocess.call([real_fixxref()] + argv)
    if rc != 0:
        return rc
    module_dir = 'html'
    for a in argv:
        if a.startswith('--module-dir='):
            module_dir = a.split('=', 1)[1]
    rehighlight(module_dir, languages('xml'))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
