#!/usr/bin/env python3
"""Add a timed-metadata track to a non-fragmented MP4/MOV (standard library only).

    timed_metadata.py IN OUT --kind gpmd|mebx [--co64] [--second-mdat]

gpmd  GoPro style: trak with handler 'meta', nmhd, sample entry 'gpmd'; each sample is a
      small GPMF (KLV) block: DEVC{DVNM, STRM{STNM "<marker>-N", SCAL, GPS5}}.
mebx  Apple style: handler 'meta' (component type 'mhlr'), gmhd/gmin, sample entry 'mebx'
      with a 'keys' table (local key 1 = mdta com.apple.quicktime.location.ISO6709,
      local key 2 = mdta com.apple.quicktime.comment, both UTF-8); each sample holds one
      item box per key.

The samples (3, one chunk each) go to the end of the existing mdat, or with --second-mdat
to a new mdat box placed right after it.  --co64 rewrites every track's stco as co64 and
uses co64 for the new track too.  mvhd next_track_ID is updated.  Prints the marker.
"""
import argparse
import struct

import mp4box

GPMD_MARKER = "GPMD-SECRET-LOCATION-MARKER"
MEBX_MARKER = "MEBX-SECRET-LOCATION-MARKER"
MEBX_ISO6709 = "+45.6789+123.4567+050.000/"
NSAMPLES = 3
TIMESCALE = 1000
DELTA = 333  # 3 samples x 333 ms = 0.999 s, inside the 1 s movie


def box(typ, payload):
    return struct.pack(">I4s", 8 + len(payload), typ) + payload


def full(typ, version, flags, payload):
    return box(typ, struct.pack(">I", (version << 24) | flags) + payload)


# ---------------------------------------------------------------- sample payloads


def klv(key, typ, size, repeat, data):
    data += b"\0" * (-len(data) % 4)
    return key + typ + struct.pack(">BH", size, repeat) + data


def nest(key, data):
    return klv(key, b"\0", 1, len(data), data)


def gpmd_sample(i):
    name = ("%s-%d" % (GPMD_MARKER, i)).encode()
    lat, lon, alt = 45.6789 + i * 1e-4, 123.4567 + i * 1e-4, 50.0
    gps5 = struct.pack(">5i", round(lat * 1e7), round(lon * 1e7), round(alt * 1000), 0, 0)
    strm = (klv(b"STNM", b"c", len(name), 1, name)
            + klv(b"SCAL", b"l", 4, 5, struct.pack(">5i", 10000000, 10000000, 1000, 1000, 100))
            + klv(b"GPS5", b"l", 20, 1, gps5))
    return nest(b"DEVC", klv(b"DVNM", b"c", 9, 1, b"MarkerCam") + nest(b"STRM", strm))


def mebx_sample(i):
    return (box(struct.pack(">I", 1), MEBX_ISO6709.encode())
            + box(struct.pack(">I", 2), ("%s-%d" % (MEBX_MARKER, i)).encode()))


def gpmd_entry():
    return box(b"gpmd", b"\0" * 6 + struct.pack(">H", 1))


def mebx_entry():
    def key(local_id, name):
        return box(struct.pack(">I", local_id),
                   box(b"keyd", b"mdta" + name.encode()) + box(b"dtyp", struct.pack(">II", 0, 1)))
    keys = box(b"keys", key(1, "com.apple.quicktime.location.ISO6709")
               + key(2, "com.apple.quicktime.comment"))
    return box(b"mebx", b"\0" * 6 + struct.pack(">H", 1) + keys)


# ---------------------------------------------------------------- the trak


def build_trak(kind, track_id, movie_timescale, offsets, sizes, co64, dinf, quicktime):
    duration = NSAMPLES * DELTA
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    tkhd = full(b"tkhd", 0, 1, struct.pack(
        ">IIIII8xhhh2x", 0, 0, track_id, 0, duration * movie_timescale // TIMESCALE, 0, 0, 0)
        + matrix + struct.pack(">II", 0, 0))
    mdhd = full(b"mdhd", 0, 0, struct.pack(">IIIIHH", 0, 0, TIMESCALE, duration, 0x55C4, 0))
    if quicktime:
        name = b"Core Media Data Handler"
        hdlr = full(b"hdlr", 0, 0, b"mhlr" + b"meta" + b"\0" * 12 + bytes([len(name)]) + name)
        mhd = box(b"gmhd", full(b"gmin", 0, 0, struct.pack(">H3HhH", 0x40, 0x8000, 0x8000, 0x8000, 0, 0)))
    else:
        hdlr = full(b"hdlr", 0, 0, b"\0\0\0\0" + b"meta" + b"\0" * 12 + b"GoPro MET\0")
        mhd = full(b"nmhd", 0, 0, b"")
    entry = gpmd_entry() if kind == "gpmd" else mebx_entry()
    stsd = full(b"stsd", 0, 0, struct.pack(">I", 1) + entry)
    stts = full(b"stts", 0, 0, struct.pack(">III", 1, NSAMPLES, DELTA))
    stsc = full(b"stsc", 0, 0, struct.pack(">IIII", 1, 1, 1, 1))  # one sample per chunk
    stsz = full(b"stsz", 0, 0, struct.pack(">II", 0, NSAMPLES) + struct.pack(">%dI" % NSAMPLES, *sizes))
    if co64:
        co = full(b"co64", 0, 0, struct.pack(">I", NSAMPLES) + struct.pack(">%dQ" % NSAMPLES, *offsets))
    else:
        co = full(b"stco", 0, 0, struct.pack(">I", NSAMPLES) + struct.pack(">%dI" % NSAMPLES, *offsets))
    stbl = box(b"stbl", stsd + stts + stsc + stsz + co)
    minf = box(b"minf", mhd + dinf + stbl)
    mdia = box(b"mdia", mdhd + hdlr + minf)
    raw = box(b"trak", tkhd + mdia)
    return mp4box.parse_tree(raw, 0, 8, len(raw))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--kind", choices=("gpmd", "mebx"), required=True)
    ap.add_argument("--co64", action="store_true")
    ap.add_argument("--second-mdat", action="store_true")
    a = ap.parse_args()

    data = open(a.src, "rb").read()
    boxes = mp4box.load(data)
    moov = [b for b in boxes if b.typ == b"moov"][0].tree
    quicktime = data[8:12] == b"qt  "

    mvhd = mp4box.find(moov, b"mvhd")[0]
    version = mvhd[1][0]
    ts_off, next_off = (12, 96) if version == 0 else (20, 108)
    movie_timescale = struct.unpack(">I", mvhd[1][ts_off:ts_off + 4])[0]
    track_id = struct.unpack(">I", mvhd[1][next_off:next_off + 4])[0]
    mvhd[1] = mvhd[1][:next_off] + struct.pack(">I", track_id + 1) + mvhd[1][next_off + 4:]

    samples = [(gpmd_sample if a.kind == "gpmd" else mebx_sample)(i + 1) for i in range(NSAMPLES)]
    blob = b"".join(samples)
    mdats = [i for i, b in enumerate(boxes) if b.typ == b"mdat"]
    last = boxes[mdats[-1]]
    if a.second_mdat:
        # a new box, given "old" coordinates past the end of the source file
        base = len(data) + (1 << 20)
        new = mp4box.TopBox(b"mdat", raw=box(b"mdat", blob), old_start=base)
        boxes.insert(mdats[-1] + 1, new)
        first = base + 8
    else:
        first = last.old_start + len(last.raw)
        raw = last.raw + blob
        if last.hlen == 16:
            last.raw = raw[:8] + struct.pack(">Q", len(raw)) + raw[16:]
        else:
            last.raw = struct.pack(">I", len(raw)) + raw[4:]
    offsets, pos = [], first
    for s in samples:
        offsets.append(pos)
        pos += len(s)

    if a.co64:
        mp4box.to_co64(moov)
    dinf = mp4box.serialize(mp4box.find(moov, b"trak", b"mdia", b"minf", b"dinf")[0])
    trak = build_trak(a.kind, track_id, movie_timescale, offsets, [len(s) for s in samples],
                      a.co64, dinf, quicktime)
    kids = moov[1]
    at = max(i for i, c in enumerate(kids) if c[0] == b"trak") + 1
    kids.insert(at, trak)

    out = mp4box.dump(boxes)
    with open(a.dst, "wb") as f:
        f.write(out)
    print(GPMD_MARKER if a.kind == "gpmd" else MEBX_MARKER)


if __name__ == "__main__":
    main()
