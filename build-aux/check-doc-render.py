#!/usr/bin/python3
# check-doc-render.py: fails on what a reader of the generated HTML reference would see broken
#
#   check-doc-render.py [--max-image-width PX] HTML_DIR
#   check-doc-render.py --self-test
#
# Scans every *.html file under HTML_DIR for:
#   - the syntax highlighter's error mark (Pygments' class "err": gtkdoc-fixxref highlights every
#     informalexample as C, so a Python or JavaScript snippet there, or a "…" in C code, shows
#     red boxes);
#   - a Python or JavaScript snippet that went through that C highlighter at all, even without
#     an error mark ('gi://GObject' shown as a comment): a highlighted listing that has no
#     language class (build-aux/gtkdoc-fixxref-lang.py adds one: <pre class="programlisting
#     python">) and lines that start with "import", "from … import", "def", "const" or "let";
#   - a literal "][" in the text outside code: a gtk-doc [text][id] link that was not expanded
#     (split over two lines, or an unknown id);
#   - an <img> whose PNG is wider than --max-image-width (default 1280 px): a wider figure is
#     cut off in the page's content column and in Devhelp.
# It prints every finding with its file and line and exits 1 if there is one.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
import argparse
import html.parser
import os
import re
import struct
import sys
import tempfile

NON_C_LINE = re.compile(r'^\s*(import\s|from\s+\S+\s+import\s|def\s|(const|let)\s+\w+\s*=)')


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.pre_depth = 0         # inside <pre> or gtk-doc's annotation spans: not prose
        self.span_stack = []
        self.listing_depth = 0     # inside <td class="listing_code">: a highlighted listing
        self.td_stack = []
        self.text = []             # (line, text) outside <pre>
        self.listings = []         # [line, text, has a language] of each highlighted listing
        self.errors = []           # lines of class="err" spans
        self.images = []           # (line, src)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        line = self.getpos()[0]
        classes = (attrs.get('class') or '').split()
        if 'err' in classes:
            self.errors.append(line)
        if tag == 'pre':
            self.pre_depth += 1
            if self.listing_depth and len(classes) > 1:
                self.listings[-1][2] = True     # highlighted in its own language
        if tag == 'span':
            # [transfer none][nullable]: gtk-doc's annotations, not a broken link
            is_annotation = 'annotation' in classes
            self.span_stack.append(is_annotation)
            if is_annotation:
                self.pre_depth += 1
        elif tag == 'td':
            is_listing = 'listing_code' in classes
            self.td_stack.append(is_listing)
            if is_listing:
                self.listing_depth += 1
                self.listings.append([line, '', False])
        elif tag == 'img' and attrs.get('src'):
            self.images.append((line, attrs['src']))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in ('pre', 'span', 'td'):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag == 'pre' and self.pre_depth:
            self.pre_depth -= 1
        elif tag == 'span' and self.span_stack:
            if self.span_stack.pop():
                self.pre_depth -= 1
        elif tag == 'td' and self.td_stack:
            if self.td_stack.pop():
                self.listing_depth -= 1

    def handle_data(self, data):
        if self.listing_depth:
            self.listings[-1][1] += data
        elif not self.pre_depth:
            self.text.append((self.getpos()[0], data))


def png_width(path):
    """The width of the PNG at path, or None if it is not a PNG."""
    with open(path, 'rb') as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != b'\x89PNG\r\n\x1a\n' or head[12:16] != b'IHDR':
        return None
    return struct.unpack('>I', head[16:20])[0]


def check_page(path, html_dir, max_width):
    page = Page()
    with open(path, encoding='utf-8', errors='replace') as f:
        page.feed(f.read())
    page.close()
    name = os.path.relpath(path, html_dir)
    problems = []
    for line in page.errors:
        problems.append('%s:%d: the highlighter marks an error (class="err")' % (name, line))
    for line, text, has_language in page.listings:
        if has_language:
            continue
        for i, code_line in enumerate(text.split('\n')):
            if NON_C_LINE.match(code_line):
                problems.append('%s:%d: a Python or JavaScript snippet highlighted as C: %r'
                                % (name, line + i, code_line.strip()))
                break
    # Join the text so that a "][" split between two text nodes is seen too
    joined = ''
    starts = []
    for line, data in page.text:
        starts.append((len(joined), line))
        joined += data
    for m in re.finditer(r'\]\s*\[', joined):
        line = max((l for off, l in starts if off <= m.start()), default=1)
        context = joined[max(0, m.start() - 40):m.end() + 30].replace('\n', ' ')
        problems.append('%s:%d: a literal "][" (an unexpanded link?): …%s…' % (name, line, context))
    for line, src in page.images:
        if re.match(r'^[a-z]+:', src) or src.startswith('/'):
            continue
        image = os.path.join(os.path.dirname(path), src.split('#')[0])
        if not os.path.isfile(image):
            continue   # check-doc-links.py reports missing files
        width = png_width(image)
        if width is not None and width > max_width:
            problems.append('%s:%d: %s is %d px wide (limit %d px)' % (name, line, src, width, max_width))
    return problems


def main(argv):
    parser = argparse.ArgumentParser(description='Check the rendering of a gtk-doc HTML reference')
    parser.add_argument('--max-image-width', type=int, default=1280)
    parser.add_argument('html_dir')
    args = parser.parse_args(argv)
    if not os.path.isdir(args.html_dir):
        print('%s: not a directory' % args.html_dir, file=sys.stderr)
        return 1
    problems = []
    pages = 0
    for root, _dirs, files in os.walk(args.html_dir):
        for f in sorted(files):
            if f.endswith('.html'):
                pages += 1
                problems += check_page(os.path.join(root, f), args.html_dir, args.max_image_width)
    if pages == 0:
        print('%s: no HTML page' % args.html_dir, file=sys.stderr)
        return 1
    for p in problems:
        print(p)
    print('%d pages checked, %d problems' % (pages, len(problems)))
    return 1 if problems else 0


def self_test():
    """Each kind of problem is found, and a clean page passes."""
    def png(width):
        return (b'\x89PNG\r\n\x1a\n' + struct.pack('>I', 13) + b'IHDR'
                + struct.pack('>II', width, 10) + b'\x08\x02\x00\x00\x00')

    listing = ('<div class="informalexample"><table class="listing_frame"><tbody><tr>'
               '<td class="listing_lines"><pre>1</pre></td>'
               '<td class="listing_code"><pre class="programlisting">%s</pre></td>'
               '</tr></tbody></table></div>')
    cases = {
        'clean': ('<p>See <a href="x.html">x</a>; code is fine:</p>'
                  + listing % '<span class="n">a</span>[0][1];' + '<pre>b[0][1]</pre>'
                  + '<p>x: <span class="annotation">[<acronym>transfer none</acronym>]'
                  + '[<acronym>nullable</acronym>]</span></p><img src="small.png">', 0),
        'err': (listing % 'int x <span class="err">…</span>;', 1),
        'python-as-c': (listing % '<span class="n">import</span> gi\nx = 1', 1),
        'python': (listing.replace('"programlisting"', '"programlisting python"')
                   % '<span class="kn">import</span> gi\nx = 1', 0),
        'link': ('<p>See also [Threads, main loops and fork\nsafety][gprocess-threads].</p>', 1),
        'link-split': ('<p>See [Threads]<em>\n</em>[gprocess-threads].</p>', 1),
        'wide': ('<p><img src="wide.png"></p>', 1),
    }
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, 'small.png'), 'wb') as f:
            f.write(png(640))
        with open(os.path.join(d, 'wide.png'), 'wb') as f:
            f.write(png(1795))
        for name, (body, expected) in cases.items():
            path = os.path.join(d, name + '.html')
            with open(path, 'w') as f:
                f.write('<html><body>%s</body></html>' % body)
            found = check_page(path, d, 1280)
            if len(found) != expected:
                print('self-test %s: expected %d problems, found %r' % (name, expected, found))
                failed += 1
    print('self-test: %d of %d cases failed' % (failed, len(cases)))
    return 1 if failed else 0


if __name__ == '__main__':
    if sys.argv[1:] == ['--self-test']:
        sys.exit(self_test())
    sys.exit(main(sys.argv[1:]))
