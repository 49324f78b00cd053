"""Read the Erlang terms of a Hex `metadata.config` (file:consult format).

Hex writes metadata.config with io_lib ~p: a sequence of `{Key, Value}.` forms whose values are
binaries, lists, tuples, atoms (true/false/nil), integers and, from some clients, maps and
charlists. This parser covers exactly those forms and rejects everything else, so a crafted
file cannot smuggle a value past the name/version check by using syntax we mis-read.

Python mapping: binary -> bytes, charlist "..." -> str, atom -> Atom (a str subclass),
integer -> int, float -> float, list -> list, tuple -> tuple, map -> dict.
"""

__all__ = ["Atom", "TermError", "parse_terms", "metadata_dict"]

MAX_DEPTH = 64


class TermError(Exception):
    pass


class Atom(str):
    def __repr__(self):
        return "Atom(%s)" % str.__repr__(self)


_ESCAPES = {
    "b": 8, "d": 127, "e": 27, "f": 12, "n": 10, "r": 13, "s": 32, "t": 9, "v": 11,
    "\\": 92, '"': 34, "'": 39,
}


class _Parser:
    def __init__(self, text):
        self.text = text
        self.pos = 0

    def error(self, what):
        line = self.text.count("\n", 0, self.pos) + 1
        column = self.pos - (self.text.rfind("\n", 0, self.pos) + 1) + 1
        raise TermError("line %d:%d: %s" % (line, column, what))

    def skip_ws(self):
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch in " \t\r\n\f\v":
                self.pos += 1
            elif ch == "%":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end + 1
            else:
                break

    def peek(self):
        self.skip_ws()
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, token):
        self.skip_ws()
        if not self.text.startswith(token, self.pos):
            self.error("expected %r" % token)
        self.pos += len(token)

    def quoted(self, quote):
        """Body of a "..." or '...' literal with Erlang escapes, as a list of code points."""
        self.pos += 1
        out = []
        text = self.text
        while True:
            if self.pos >= len(text):
                self.error("unterminated %s literal" % quote)
            ch = text[self.pos]
            self.pos += 1
            if ch == quote:
                return out
            if ch != "\\":
                out.append(ord(ch))
                continue
            if self.pos >= len(text):
                self.error("unterminated escape")
            esc = text[self.pos]
            self.pos += 1
            if esc in "01234567":
                digits = esc
                while len(digits) < 3 and self.pos < len(text) and text[self.pos] in "01234567":
                    digits += text[self.pos]
                    self.pos += 1
                out.append(int(digits, 8))
            elif esc == "x":
                if text.startswith("{", self.pos):
                    end = text.find("}", self.pos)
                    if end < 0:
                        self.error("unterminated \\x{...}")
                    digits, self.pos = text[self.pos + 1:end], end + 1
                else:
                    digits, self.pos = text[self.pos:self.pos + 2], self.pos + 2
                try:
                    out.append(int(digits, 16))
                except ValueError:
                    self.error("bad \\x escape")
            elif esc == "^":
                if self.pos >= len(text):
                    self.error("unterminated \\^ escape")
                out.append(ord(text[self.pos]) % 32)
                self.pos += 1
            elif esc in _ESCAPES:
                out.append(_ESCAPES[esc])
            else:
                # Erlang keeps an unknown escaped character as itself.
                out.append(ord(esc))

    def number(self):
        text = self.text
        start = self.pos
        if text[self.pos] == "-":
            self.pos += 1
        while self.pos < len(text) and (text[self.pos].isdigit() or text[self.pos] == "_"):
            self.pos += 1
        digits = text[start:self.pos].replace("_", "")
        if digits in ("", "-"):
            self.error("bad number")
        if self.pos < len(text) and text[self.pos] == "#":
            base = int(digits)
            if not 2 <= base <= 36:
                self.error("bad integer base")
            self.pos += 1
            dstart = self.pos
            while self.pos < len(text) and (text[self.pos].isalnum() or text[self.pos] == "_"):
                self.pos += 1
            try:
                return int(text[dstart:self.pos].replace("_", ""), base)
            except ValueError:
                self.error("bad based integer")
        if self.pos + 1 < len(text) and text[self.pos] == "." and text[self.pos + 1].isdigit():
            self.pos += 1
            while self.pos < len(text) and (text[self.pos].isdigit() or text[self.pos] in "eE+-_"):
                self.pos += 1
            try:
                return float(text[start:self.pos].replace("_", ""))
            except ValueError:
                self.error("bad float")
        return int(digits)

    def binary(self, depth):
        self.expect("<<")
        out = bytearray()
        if self.peek() == ">":
            self.expect(">>")
            return bytes(out)
        while True:
            ch = self.peek()
            if ch == '"':
                chars = self.quoted('"')
                utf8 = False
                if self.peek() == "/":
                    self.expect("/")
                    word = self.atom_word()
                    if word != "utf8":
                        self.error("unsupported binary segment type %r" % word)
                    utf8 = True
                if utf8:
                    out += "".join(map(chr, chars)).encode("utf-8")
                else:
                    if any(c > 255 for c in chars):
                        self.error("code point above 255 in a latin-1 binary segment")
                    out += bytes(chars)
            elif ch.isdigit():
                value = self.number()
                if not isinstance(value, int) or not 0 <= value <= 255:
                    self.error("binary segment is not a byte")
                out.append(value)
            else:
                self.error("unsupported binary segment")
            if self.peek() == ",":
                self.expect(",")
                continue
            self.expect(">>")
            return bytes(out)

    def atom_word(self):
        self.skip_ws()
        text = self.text
        start = self.pos
        while self.pos < len(text) and (text[self.pos].isalnum() or text[self.pos] in "_@"):
            self.pos += 1
        return text[start:self.pos]

    def sequence(self, close, depth):
        items = []
        if self.peek() == close:
            self.expect(close)
            return items
        while True:
            items.append(self.term(depth + 1))
            ch = self.peek()
            if ch == ",":
                self.expect(",")
            elif ch == close:
                self.expect(close)
                return items
            elif ch == "|":
                self.error("improper lists are not supported")
            else:
                self.error("expected ',' or %r" % close)

    def term(self, depth=0):
        if depth > MAX_DEPTH:
            self.error("terms nested too deeply")
        ch = self.peek()
        if ch == "":
            self.error("unexpected end of input")
        if ch == "{":
            self.expect("{")
            return tuple(self.sequence("}", depth))
        if ch == "[":
            self.expect("[")
            return self.sequence("]", depth)
        if self.text.startswith("<<", self.pos):
            return self.binary(depth)
        if self.text.startswith("#{", self.pos):
            self.expect("#{")
            result = {}
            if self.peek() == "}":
                self.expect("}")
                return result
            while True:
                key = self.term(depth + 1)
                self.expect("=>")
                value = self.term(depth + 1)
                try:
                    if key in result:
                        self.error("duplicate map key")
                    result[key] = value
                except TypeError:
                    self.error("unsupported map key")
                ch = self.peek()
                if ch == ",":
                    self.expect(",")
                elif ch == "}":
                    self.expect("}")
                    return result
                else:
                    self.error("expected ',' or '}'")
        if ch == '"':
            return "".join(map(chr, self.quoted('"')))
        if ch == "'":
            return Atom("".join(map(chr, self.quoted("'"))))
        if ch.isdigit() or (ch == "-" and self.text[self.pos + 1:self.pos + 2].isdigit()):
            return self.number()
        if ch.islower():
            return Atom(self.atom_word())
        self.error("unexpected character %r" % ch)


def parse_terms(text):
    """All `.`-terminated terms of a file:consult-style text."""
    parser = _Parser(text)
    terms = []
    while parser.peek() != "":
        terms.append(parser.term())
        parser.expect(".")
        nxt = parser.text[parser.pos:parser.pos + 1]
        if nxt and nxt not in " \t\r\n%":
            parser.error("expected whitespace after '.'")
    return terms


def metadata_dict(text):
    """metadata.config -> {key (str): value}; every form must be a 2-tuple with a binary key."""
    result = {}
    for term in parse_terms(text):
        if not (isinstance(term, tuple) and len(term) == 2 and isinstance(term[0], bytes)):
            raise TermError("top-level form is not a {<<\"key\">>, Value} tuple: %r" % (term,))
        try:
            key = term[0].decode("utf-8")
        except UnicodeDecodeError:
            raise TermError("key is not UTF-8: %r" % (term[0],))
        if key in result:
            raise TermError("key %r given twice" % key)
        result[key] = term[1]
    return result
