#!/usr/bin/env python3
"""Minimal ISO-BMFF / QuickTime box surgery for the test-video generator.

Standard library only. Used by make.sh, timed_metadata.py and manifest.py.

    mp4box.py layout FILE          print the top-level box order, e.g. "ftyp free mdat moov"
    mp4box.py tree FILE            print the box tree (offsets, sizes) for debugging
    mp4box.py moov-last FILE       rewrite FILE so that mdat comes before moov (and any
                                   top-level uuid/XMP box goes after moov), patching
                                   stco/co64 chunk offsets
    mp4box.py add-udta FILE TYPE HEXPAYLOAD
                                   append a raw box TYPE (4 chars) to moov/udta

Only non-fragmented files are rewritten: chunk offsets in moof/tfhd/tfra are not
patched, so the rewriting commands refuse files with a moof box.
"""
import struct
import sys

# Boxes whose payload is a plain list of child boxes and which the rewriting code
# descends into.  Everything else is kept as opaque bytes.
CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"dinf", b"edts",
              b"mvex", b"moof", b"traf", b"mfra", b"gmhd", b"tref"}


def read_header(data, off, end):
    """Return (type, header_len, size) of the box at off, or None."""
    if off + 8 > end:
        return None
    size, typ = struct.unpack(">I4s", data[off:off + 8])
    hlen = 8
    if size == 1:
        if off + 16 > end:
            return None
        size = struct.unpack(">Q", data[off + 8:off + 16])[0]
        hlen = 16
    elif size == 0:
        size = end - off
    if size < hlen or off + size > end:
        return None
    return typ, hlen, size


def iter_boxes(data, off, end):
    """Yield (type, start, header_len, size) for consecutive boxes in [off, end)."""
    while True:
        h = read_header(data, off, end)
        if h is None:
            return
        typ, hlen, size = h
        yield typ, off, hlen, size
        off += size


def meta_children_start(data, start, hlen):
    """ISO 'meta' is a full box (4 bytes version/flags); QuickTime 'meta' is not."""
    p = start + hlen
    if data[p + 4:p + 8] == b"hdlr":
        return p
    return p + 4


def fourcc(t):
    """Printable name of a box type ('\\xa9nam' -> '©nam', key index 3 -> '#3')."""
    if t[:3] == b"\0\0\0":
        return "#%d" % struct.unpack(">I", t)[0]
    return t.decode("latin-1")


def walk(data, off=0, end=None, path=""):
    """Yield (path, type, start, header_len, size) for every box, descending into
    containers, meta, ilst, keys and stsd so metadata items get precise paths."""
    if end is None:
        end = len(data)
    for typ, start, hlen, size in iter_boxes(data, off, end):
        p = path + "/" + fourcc(typ) if path else fourcc(typ)
        yield p, typ, start, hlen, size
        child = None
        if typ in CONTAINERS or typ == b"ilst" or (path.endswith("ilst") and typ != b"data"):
            child = start + hlen
        elif typ == b"meta":
            child = meta_children_start(data, start, hlen)
        elif typ in (b"keys", b"stsd"):
            # keys: version/flags, entry_count, then (size, namespace, name) entries;
            # stsd: version/flags, entry_count, then sample entries
            child = start + hlen + 8
        if child is not None and child < start + size:
            yield from walk(data, child, start + size, p)


def box_path_at(data, pos):
    """Deepest box path that contains byte position pos."""
    best = ""
    for p, typ, start, hlen, size in walk(data):
        if start <= pos < start + size:
            best = p
    return best


# --------------------------------------------------------------------------------------
# A tiny mutable tree for moov.  Node = [type, children(list) or payload(bytes), tail]


def parse_tree(data, start, hlen, size):
    typ = data[start + 4:start + 8]
    if typ not in CONTAINERS or typ in (b"moof", b"traf", b"mfra"):
        return [typ, bytes(data[start + hlen:start + size]), b""]
    children = []
    off = start + hlen
    end = start + size
    for ctyp, cstart, chlen, csize in iter_boxes(data, off, end):
        children.append(parse_tree(data, cstart, chlen, csize))
        off = cstart + csize
    # QuickTime udta may end with a 32-bit zero terminator; keep whatever is left
    return [typ, children, bytes(data[off:end])]


def serialize(node):
    typ, body, tail = node
    if isinstance(body, list):
        payload = b"".join(serialize(c) for c in body) + tail
    else:
        payload = body + tail
    size = 8 + len(payload)
    if size > 0xFFFFFFFF:
        return struct.pack(">I4sQ", 1, typ, size + 8) + payload
    return struct.pack(">I4s", size, typ) + payload


def find(node, *path):
    """Return the list of descendants matching the type path, e.g. find(moov, b'trak')."""
    out = [node]
    for t in path:
        nxt = []
        for n in out:
            if isinstance(n[1], list):
                nxt += [c for c in n[1] if c[0] == t]
        out = nxt
    return out


def chunk_offset_boxes(moov):
    return [b for trak in find(moov, b"trak")
            for b in find(trak, b"mdia", b"minf", b"stbl") for b in b[1] if b[0] in (b"stco", b"co64")]


def read_offsets(box):
    typ, body, _ = box
    n = struct.unpack(">I", body[4:8])[0]
    if typ == b"stco":
        return list(struct.unpack(">%dI" % n, body[8:8 + 4 * n]))
    return list(struct.unpack(">%dQ" % n, body[8:8 + 8 * n]))


def write_offsets(box, offsets):
    typ = box[0]
    fmt = ">%dI" if typ == b"stco" else ">%dQ"
    box[1] = box[1][:8] + struct.pack(fmt % len(offsets), *offsets)


def to_co64(moov):
    for b in chunk_offset_boxes(moov):
        if b[0] == b"stco":
            offs = read_offsets(b)
            b[0] = b"co64"
            b[1] = b[1][:8] + struct.pack(">%dQ" % len(offs), *offs)


class TopBox:
    """A top-level box: raw bytes (or a moov tree) plus the range it occupied in the
    source file ('old' coordinates), used to remap chunk offsets."""

    def __init__(self, typ, raw=None, tree=None, old_start=None, hlen=8):
        self.typ, self.raw, self.tree, self.old_start, self.hlen = typ, raw, tree, old_start, hlen

    def bytes(self):
        return serialize(self.tree) if self.tree is not None else self.raw


def load(data):
    boxes = []
    for typ, start, hlen, size in iter_boxes(data, 0, len(data)):
        if typ == b"moof":
            raise SystemExit("mp4box: fragmented file, refusing to rewrite")
        if typ == b"moov":
            boxes.append(TopBox(typ, tree=parse_tree(data, start, hlen, size), old_start=start, hlen=hlen))
        else:
            raw = bytes(data[start:start + size])
            if hlen == 8 and struct.unpack(">I", raw[:4])[0] == 0:  # size 0 = to end of file
                raw = struct.pack(">I", size) + raw[4:]
            boxes.append(TopBox(typ, raw=raw, old_start=start, hlen=hlen))
    return boxes


def dump(boxes):
    """Serialize top-level boxes, remapping every chunk offset that pointed into an
    mdat (in old coordinates) to the mdat's new position."""
    moov = [b for b in boxes if b.typ == b"moov"][0]
    pos = 0
    remap = []  # (old_payload_start, old_end, new_payload_start)
    for b in boxes:
        size = len(b.bytes())
        if b.typ == b"mdat" and b.old_start is not None:
            remap.append((b.old_start + b.hlen, b.old_start + size, pos + b.hlen))
        pos += size
    for co in chunk_offset_boxes(moov.tree):
        new = []
        for o in read_offsets(co):
            for old_s, old_e, new_s in remap:
                if old_s <= o < old_e:
                    new.append(o - old_s + new_s)
                    break
            else:
                raise SystemExit("mp4box: chunk offset %d is outside every mdat" % o)
        if co[0] == b"stco" and max(new, default=0) > 0xFFFFFFFF:
            raise SystemExit("mp4box: offsets need co64")
        write_offsets(co, new)
    return b"".join(b.bytes() for b in boxes)


def moov_last(boxes):
    """ftyp/free/wide/skip/mdat keep their order, then moov, then everything else (uuid)."""
    head = [b for b in boxes if b.typ in (b"ftyp", b"free", b"wide", b"skip", b"mdat")]
    moov = [b for b in boxes if b.typ == b"moov"]
    rest = [b for b in boxes if b not in head and b not in moov]
    return head + moov + rest


def add_udta(boxes, typ, payload):
    moov = [b for b in boxes if b.typ == b"moov"][0].tree
    udta = find(moov, b"udta")
    if not udta:
        udta = [[b"udta", [], b""]]
        moov[1].append(udta[0])
    udta[0][1].append([typ, payload, b""])


def layout(data):
    return [fourcc(t) for t, _, _, _ in iter_boxes(data, 0, len(data))]


def main(argv):
    cmd, path = argv[1], argv[2]
    data = open(path, "rb").read()
    if cmd == "layout":
        print(" ".join(layout(data)))
    elif cmd == "tree":
        for p, typ, start, hlen, size in walk(data):
            print("%-40s @%-7d size=%d" % (p, start, size))
    elif cmd in ("moov-last", "add-udta"):
        boxes = load(data)
        if cmd == "moov-last":
            boxes = moov_last(boxes)
        else:
            add_udta(boxes, argv[3].encode("latin-1"), bytes.fromhex(argv[4]))
        out = dump(boxes)
        with open(path, "wb") as f:
            f.write(out)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
