"""Find build-directory paths left in installed files before Yocto's `buildpaths` QA does.

Yocto greps raw bytes; BEAM files also hold zlib-compressed chunks (LitT literals, and Dbgi /
Docs / CInf terms written with term_to_binary(.., [compressed])) where a path survives a plain
grep. Those are decompressed here so a leak is caught whatever the chunk.
"""

import gzip
import os
import struct
import zlib

__all__ = ["scan_file", "scan_tree"]

_MAX_NESTED = 64


def _chunks(data):
    if len(data) < 12 or data[:4] != b"FOR1" or data[8:12] != b"BEAM":
        return None
    chunks = []
    pos = 12
    while pos + 8 <= len(data):
        cid = data[pos:pos + 4]
        (size,) = struct.unpack(">I", data[pos + 4:pos + 8])
        chunks.append((cid.decode("latin-1"), data[pos + 8:pos + 8 + size]))
        pos += 8 + ((size + 3) & ~3)
    return chunks


def _inflate_etf(blob, budget):
    """Decompress every compressed external-term blob (131, 80, size, zlib) found in `blob`."""
    out = []
    start = 0
    while budget[0] > 0:
        at = blob.find(b"\x83P", start)
        if at < 0:
            break
        start = at + 2
        try:
            inflated = zlib.decompress(blob[at + 6:])
        except zlib.error:
            continue
        budget[0] -= 1
        out.append(inflated)
        out.extend(_inflate_etf(inflated, budget))
    return out


def _views(data):
    yield data
    if data[:2] == b"\x1f\x8b":  # a beam written with +compressed: gzip of the whole file
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            return
        yield data
    chunks = _chunks(data)
    if chunks is None:
        return
    budget = [_MAX_NESTED]
    for cid, body in chunks:
        if cid == "LitT" and len(body) > 4 and body[:4] != b"\0\0\0\0":
            try:
                body = zlib.decompress(body[4:])
            except zlib.error:
                continue
            yield body
        for inflated in _inflate_etf(body, budget):
            yield inflated


def scan_file(path, needles):
    """The needles (bytes) found in `path`, searching decompressed BEAM chunks too."""
    with open(path, "rb") as f:
        data = f.read()
    found = set()
    for view in _views(data):
        for needle in needles:
            if needle in view:
                found.add(needle)
    return found


def scan_tree(root, needles):
    """[(relative path, sorted needles)] for every regular file under `root` that leaks one."""
    hits = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            found = scan_file(path, needles)
            if found:
                hits.append((os.path.relpath(path, root), sorted(n.decode("utf-8", "replace") for n in found)))
    return hits
