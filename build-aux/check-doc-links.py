#!/usr/bin/python3
# check-doc-links.py: fails on a dangling link in a generated HTML reference
#
#   check-doc-links.py [--allow-url PREFIX]... [--allow-dir DIR]... HTML_DIR
#   check-doc-links.py --self-test
#
# Parses every *.html file under HTML_DIR (and the devhelp2 index, if any) and checks each
# href and src:
#   - a relative link must name a file inside HTML_DIR that exists, and its #fragment, if any,
#     an id or <a name> in that file;
#   - an absolute path (or file: URL), which gtkdoc-fixxref writes for links into the installed
#     GLib/GObject/GIO references, must be under an --allow-dir directory and exist, with its
#     fragment;
#   - any other URL (http:, https:, mailto:…) must start with an --allow-url prefix.
# It prints every bad link with the file that holds it and exits 1 if there is one.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import argparse
import html.parser
import os
import sys
import urllib.parse
import xml.etree.ElementTree as ET


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors = set()
        self.links = []   # (line, attribute, value)

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == 'id' or (name == 'name' and tag == 'a'):
                self.anchors.add(value)
            elif (name == 'href' and tag in ('a', 'link', 'area')) or \
                 (name == 'src' and tag in ('img', 'script', 'iframe')):
                self.links.append((self.getpos()[0], name, value))

    handle_startendtag = handle_starttag


_pages = {}


def parse(path):
    """The parsed page at path (cached), or None if it is not a readable file."""
    path = os.path.realpath(path)
    if path not in _pages:
        page = None
        if os.path.isfile(path):
            page = Page()
            with open(path, encoding='utf-8', errors='replace') as f:
                page.feed(f.read())
            page.close()
        _pages[path] = page
    return _pages[path]


def inside(path, directory):
    path, directory = os.path.realpath(path), os.path.realpath(directory)
    return path == directory or path.startswith(directory + os.sep)


def check_link(source, value, html_dir, allow_urls, allow_dirs):
    """None if the link from source resolves, otherwise why not."""
    url = urllib.parse.urlsplit(value)
    if url.scheme and url.scheme != 'file':
        if any(value.startswith(prefix) for prefix in allow_urls):
            return None
        return 'external URL not in the allowed list'
    target_path = urllib.parse.unquote(url.path)
    fragment = urllib.parse.unquote(url.fragment)
    if url.scheme == 'file' or target_path.startswith('/'):
        if not any(inside(target_path, d) for d in allow_dirs):
            return 'absolute path outside the allowed directories'
        target = target_path
    elif target_path == '':
        target = source
    else:
        target = os.path.join(os.path.dirname(source), target_path)
        if not inside(target, html_dir):
            return 'relative link leaves the documentation tree'
    if not os.path.exists(target):
        return 'missing file'
    if fragment:
        if not target.endswith(('.html', '.htm')):
            return 'fragment into a file that is not HTML'
        page = parse(target)
        if page is None or fragment not in page.anchors:
            return 'missing anchor #' + fragment
    return None


def main(argv):
    ap = argparse.ArgumentParser(description='Fails on a dangling link in a generated HTML reference')
    ap.add_argument('--allow-url', action='append', default=[], metavar='PREFIX')
    ap.add_argument('--allow-dir', action='append', default=[], metavar='DIR')
    ap.add_argument('html_dir')
    args = ap.parse_args(argv)
    _pages.clear()

    html_dir = os.path.realpath(args.html_dir)
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(html_dir) for f in fs
                   if f.endswith(('.html', '.htm')))
    if not files:
        print('%s: no HTML files' % html_dir, file=sys.stderr)
        return 1

    bad = []
    checked = 0
    for path in files:
        for line, attr, value in parse(path).links:
            checked += 1
            why = check_link(path, value, html_dir, args.allow_url, args.allow_dir)
            if why:
                bad.append('%s:%d: %s="%s": %s' % (os.path.relpath(path, html_dir), line, attr,
                                                    value, why))

    # The devhelp index: its chapter and keyword links open pages of the same tree
    for index in sorted(f for f in os.listdir(html_dir) if f.endswith('.devhelp2')):
        index_path = os.path.join(html_dir, index)
        for element in ET.parse(index_path).iter():
            value = element.get('link')
            if value is None:
                continue
            checked += 1
            why = check_link(index_path, value, html_dir, args.allow_url, args.allow_dir)
            if why:
                bad.append('%s: link="%s": %s' % (index, value, why))

    for line in bad:
        print(line)
    print('%d links checked in %d HTML files: %d dangling' % (checked, len(files), len(bad)))
    return 1 if bad else 0


def self_test():
    """The checker must catch each kind of dangling link, and pass a clean tree."""
    import contextlib
    import io
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        html_dir = os.path.join(tmp, 'html')
        os.mkdir(html_dir)
        with open(os.path.join(tmp, 'outside.html'), 'w') as f:
            f.write('<p id="x">outside</p>')
        with open(os.path.join(html_dir, 'b.html'), 'w') as f:
            f.write('<h1 id="top">b</h1><a name="named"></a>')
        good = ['b.html', 'b.html#top', 'b.html#named', '#here', os.path.join(tmp, 'outside.html#x')]
        bad = ['missing.html', 'b.html#nowhere', '#nowhere', '../outside.html', 'https://example.org/',
               '/nonexistent/dir/x.html']
        with open(os.path.join(html_dir, 'a.html'), 'w') as f:
            f.write('<p id="here"></p>' + ''.join('<a href="%s">l</a>' % h for h in good + bad))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = main(['--allow-dir', tmp, html_dir])
        reported = [line for line in out.getvalue().splitlines() if line.startswith('a.html:')]
        assert status == 1, 'dangling links not reported: exit %d' % status
        for h in bad:
            assert any('"%s"' % h in line for line in reported), 'not reported: ' + h
        assert len(reported) == len(bad), 'false positives: %r' % reported
        with open(os.path.join(html_dir, 'a.html'), 'w') as f:
            f.write('<p id="here"></p>' + ''.join('<a href="%s">l</a>' % h for h in good))
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(['--allow-dir', tmp, html_dir]) == 0, 'a clean tree fails'
    print('self-test: ok (%d dangling links caught, clean tree passes)' % len(bad))
    return 0


if __name__ == '__main__':
    if sys.argv[1:] == ['--self-test']:
        sys.exit(self_test())
    sys.exit(main(sys.argv[1:]))
