"""A TOML reader for gleam.toml and manifest.toml (Python 3 stdlib has tomllib only from 3.11;
Yocto hosts may run older Pythons, and the same code must run everywhere).

Covers what Gleam writes and its users write in gleam.toml: comments, [tables], [[arrays of
tables]], dotted keys, bare/quoted keys, basic/literal/multi-line strings with escapes, integers,
floats, booleans, arrays and inline tables. Dates are refused (Gleam uses none). Anything it does
not understand is a TomlError naming line:column, never a silent guess.
"""

import re

__all__ = ["TomlError", "parse"]


class TomlError(Exception):
    pass


_BARE = re.compile(r"[A-Za-z0-9_-]+")
_NUMBER = re.compile(r"[+-]?(0x[0-9A-Fa-f_]+|0o[0-7_]+|0b[01_]+|\d[\d_]*(\.\d[\d_]*)?([eE][+-]?\d+)?|inf|nan)")
_ESC = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}


class _Reader:
    def __init__(self, text, name):
        self.s = text
        self.i = 0
        self.name = name

    def fail(self, what):
        line = self.s.count("\n", 0, self.i) + 1
        col = self.i - (self.s.rfind("\n", 0, self.i) + 1) + 1
        raise TomlError("%s:%d:%d: %s" % (self.name, line, col, what))

    def ws(self, newlines=False):
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t" or (newlines and c in "\r\n"):
                self.i += 1
            elif c == "#":
                end = self.s.find("\n", self.i)
                self.i = len(self.s) if end < 0 else end
            else:
                break

    def peek(self, n=1):
        return self.s[self.i:self.i + n]

    def eat(self, tok):
        if not self.s.startswith(tok, self.i):
            self.fail("expected %r" % tok)
        self.i += len(tok)

    def end_of_line(self):
        self.ws()
        if self.i < len(self.s) and self.s[self.i] not in "\r\n":
            self.fail("unexpected %r after the value" % self.s[self.i])

    def key(self):
        parts = []
        while True:
            self.ws()
            c = self.peek()
            if c == '"':
                parts.append(self.basic_string())
            elif c == "'":
                parts.append(self.literal_string())
            else:
                m = _BARE.match(self.s, self.i)
                if not m:
                    self.fail("expected a key")
                parts.append(m.group(0))
                self.i = m.end()
            self.ws()
            if self.peek() != ".":
                return parts
            self.i += 1

    def basic_string(self):
        if self.peek(3) == '"""':
            return self.multiline('"""', escapes=True)
        self.i += 1
        out = []
        while True:
            if self.i >= len(self.s) or self.s[self.i] in "\r\n":
                self.fail("unterminated string")
            c = self.s[self.i]
            self.i += 1
            if c == '"':
                return "".join(out)
            out.append(self.escape() if c == "\\" else c)

    def escape(self):
        c = self.s[self.i:self.i + 1]
        self.i += 1
        if c in _ESC:
            return _ESC[c]
        if c in ("u", "U"):
            n = 4 if c == "u" else 8
            digits = self.s[self.i:self.i + n]
            if len(digits) != n or not all(d in "0123456789abcdefABCDEF" for d in digits):
                self.fail("bad \\%s escape" % c)
            self.i += n
            return chr(int(digits, 16))
        self.fail("unknown escape \\%s" % c)

    def literal_string(self):
        if self.peek(3) == "'''":
            return self.multiline("'''", escapes=False)
        end = self.s.find("'", self.i + 1)
        nl = self.s.find("\n", self.i + 1)
        if end < 0 or (0 <= nl < end):
            self.fail("unterminated string")
        value = self.s[self.i + 1:end]
        self.i = end + 1
        return value

    def multiline(self, quote, escapes):
        self.i += 3
        if self.s.startswith("\r\n", self.i):
            self.i += 2
        elif self.s.startswith("\n", self.i):
            self.i += 1
        out = []
        while True:
            if self.i >= len(self.s):
                self.fail("unterminated multi-line string")
            if self.s.startswith(quote, self.i):
                # Up to two quotes right before the closing ones belong to the string.
                extra = 0
                while extra < 2 and self.s.startswith(quote[0], self.i + 3 + extra):
                    extra += 1
                out.append(quote[0] * extra)
                self.i += 3 + extra
                return "".join(out)
            c = self.s[self.i]
            self.i += 1
            if escapes and c == "\\":
                if self.peek() in ("\n", "\r", " ", "\t"):
                    # Line-ending backslash: trim the newline and following whitespace.
                    while self.i < len(self.s) and self.s[self.i] in " \t\r\n":
                        self.i += 1
                    continue
                out.append(self.escape())
            else:
                out.append(c)

    def value(self, depth=0):
        if depth > 64:
            self.fail("values nested too deeply")
        self.ws()
        c = self.peek()
        if c == '"':
            return self.basic_string()
        if c == "'":
            return self.literal_string()
        if c == "[":
            return self.array(depth)
        if c == "{":
            return self.inline_table(depth)
        if self.s.startswith("true", self.i):
            self.i += 4
            return True
        if self.s.startswith("false", self.i):
            self.i += 5
            return False
        m = _NUMBER.match(self.s, self.i)
        if m and not re.match(r"\d{4}-\d{2}-\d{2}", self.s[self.i:self.i + 10]):
            self.i = m.end()
            text = m.group(0).replace("_", "")
            try:
                if text.lstrip("+-")[:2] in ("0x", "0o", "0b"):
                    return int(text, 0)
                if any(ch in text for ch in ".eE") or text.lstrip("+-") in ("inf", "nan"):
                    return float(text)
                return int(text)
            except ValueError:
                self.fail("bad number %r" % m.group(0))
        self.fail("unsupported value")

    def array(self, depth):
        self.eat("[")
        items = []
        while True:
            self.ws(newlines=True)
            if self.peek() == "]":
                self.i += 1
                return items
            items.append(self.value(depth + 1))
            self.ws(newlines=True)
            if self.peek() == ",":
                self.i += 1
            elif self.peek() != "]":
                self.fail("expected ',' or ']' in array")

    def inline_table(self, depth):
        self.eat("{")
        table = {}
        self.ws()
        if self.peek() == "}":
            self.i += 1
            return table
        while True:
            path = self.key()
            self.eat("=")
            _assign(self, table, path, self.value(depth + 1))
            self.ws()
            if self.peek() == ",":
                self.i += 1
            elif self.peek() == "}":
                self.i += 1
                return table
            else:
                self.fail("expected ',' or '}' in inline table")


def _assign(reader, table, path, value):
    for part in path[:-1]:
        table = table.setdefault(part, {})
        if not isinstance(table, dict):
            reader.fail("key %r is not a table" % part)
    if path[-1] in table:
        reader.fail("key %r defined twice" % ".".join(path))
    table[path[-1]] = value


def parse(text, name="<toml>"):
    """TOML text -> dict. `name` is used in error messages."""
    r = _Reader(text, name)
    root = {}
    current = root
    while True:
        r.ws(newlines=True)
        if r.i >= len(r.s):
            return root
        if r.peek(2) == "[[":
            r.i += 2
            path = r.key()
            r.eat("]]")
            parent = root
            for part in path[:-1]:
                parent = parent.setdefault(part, {})
                if isinstance(parent, list):
                    parent = parent[-1]
            tables = parent.setdefault(path[-1], [])
            if not isinstance(tables, list):
                r.fail("%r is not an array of tables" % ".".join(path))
            current = {}
            tables.append(current)
        elif r.peek() == "[":
            r.i += 1
            path = r.key()
            r.eat("]")
            current = root
            for part in path:
                current = current.setdefault(part, {})
                if isinstance(current, list):
                    current = current[-1]
                if not isinstance(current, dict):
                    r.fail("%r is not a table" % ".".join(path))
        else:
            path = r.key()
            r.eat("=")
            _assign(r, current, path, r.value())
        r.end_of_line()
