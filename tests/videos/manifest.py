#!/usr/bin/env python3
"""Metadata spec, exiftool arguments and manifest/verification for the test videos.

    manifest.py exiftool-args            one exiftool argument per line (make.sh reads them)
    manifest.py loci FILE                write the binary 3GPP 'loci' value for exiftool
    manifest.py titl-hex                 hex payload of the hand-written 3GPP 'titl' box
    manifest.py build OUTDIR WORKDIR     verify every file listed in FILES and write
                                         OUTDIR/manifest.json; exits non-zero on failure

Standard library only; calls ffprobe, ffmpeg and exiftool.
"""
import json
import os
import struct
import subprocess
import sys

import mp4box

HERE = os.path.dirname(os.path.abspath(__file__))

CREATION_TIME = "2011-11-11T11:11:11Z"  # ffmpeg -metadata creation_time: mvhd/tkhd/mdhd
MAC_EPOCH_OFFSET = 2082844800  # seconds from 1904-01-01 to 1970-01-01
CREATION_SECONDS = 1321009871 + MAC_EPOCH_OFFSET  # 2011-11-11T11:11:11Z as QuickTime time

LOCI = dict(place="MarkerLociPlace", role=0, lon=65.4321, lat=12.3456, alt=10.0,
            body="earth", notes="MarkerLociNote")
TITL = "Marker3gppTitl"

# What exiftool writes into every non-fragmented file.
#   arg: exiftool assignment; group/tag: where `exiftool -a -G1 -n` must show it;
#   expect: the -n value it must show (substring for loci); markers: the exact byte
#   strings that then sit in the file and that a cleaned file must not contain;
#   box: where exiftool 12.57 puts it (MP4-family / MOV), for humans.
EXIFTOOL_TAGS = [
    dict(arg="-Keys:Make=MarkerMakeCam", group="Keys", tag="Make", expect="MarkerMakeCam",
         markers=["MarkerMakeCam"], box="moov/meta keys+ilst (mdta com.apple.quicktime.make)"),
    dict(arg="-Keys:Model=MarkerModel9", group="Keys", tag="Model", expect="MarkerModel9",
         markers=["MarkerModel9"], box="moov/meta keys+ilst (mdta com.apple.quicktime.model)"),
    dict(arg="-Keys:Software=MarkerSoft", group="Keys", tag="Software", expect="MarkerSoft",
         markers=["MarkerSoft"], box="moov/meta keys+ilst (mdta com.apple.quicktime.software)"),
    dict(arg="-Keys:CreationDate=2011:11:11 11:11:11+01:00", group="Keys", tag="CreationDate",
         expect="2011:11:11 11:11:11+01:00", markers=["2011-11-11T11:11:11+0100"],
         box="moov/meta keys+ilst (mdta com.apple.quicktime.creationdate)"),
    dict(arg="-Keys:GPSCoordinates=12.3456, 65.4321, 10", group="Keys", tag="GPSCoordinates",
         expect="12.3456 65.4321 10", markers=["+12.3456+065.4321"],
         box="moov/meta keys+ilst (mdta com.apple.quicktime.location.ISO6709)"),
    dict(arg="-Keys:LocationAccuracyHorizontal=47.125", group="Keys", tag="LocationAccuracyHorizontal",
         expect="47.125", markers=["47.125"],
         box="moov/meta keys+ilst (mdta com.apple.quicktime.location.accuracy.horizontal)"),
    dict(arg="-UserData:GPSCoordinates=23.4567, 76.5432", group="UserData", tag="GPSCoordinates",
         expect="23.4567 76.5432", markers=["+23.4567+076.5432"], box="moov/udta/©xyz"),
    dict(arg="-UserData:Author=MarkerUdtaAuthor", group="UserData", tag="Author",
         expect="MarkerUdtaAuthor", markers=["MarkerUdtaAuthor"],
         box="moov/udta/auth (3GPP style, not ©aut)"),
    dict(arg="-UserData:Title=MarkerUdtaTitle", group="UserData", tag="Title",
         expect="MarkerUdtaTitle", markers=["MarkerUdtaTitle"],
         box="moov/udta/©nam (exiftool never writes 3GPP titl)"),
    dict(arg="-UserData:Make=MarkerUdtaMake", group="UserData", tag="Make",
         expect="MarkerUdtaMake", markers=["MarkerUdtaMake"], box="moov/udta/©mak"),
    dict(arg="-UserData:Model=MarkerUdtaModel", group="UserData", tag="Model",
         expect="MarkerUdtaModel", markers=["MarkerUdtaModel"], box="moov/udta/©mod"),
    dict(arg="-UserData:LocationInformation<=LOCI", group="UserData", tag="LocationInformation",
         expect=LOCI["place"], markers=[LOCI["place"], LOCI["notes"]],
         box="moov/udta/loci (3GPP location: name, role, lon/lat/alt 16.16, body, notes)"),
    dict(arg="-XMP:Creator=MarkerXmpCreator", group="XMP-dc", tag="Creator",
         expect="MarkerXmpCreator", markers=["MarkerXmpCreator"],
         box="top-level uuid BE7ACFCB-97A9-42E8-9C71-999491E3AFAC (MP4 family) / moov/udta/XMP_ (MOV)"),
    dict(arg="-XMP:GPSLatitude=34.5678", group="XMP-exif", tag="GPSLatitude", expect="34.5678",
         markers=["34,34.068N"], box="XMP packet, as above"),
    dict(arg="-XMP:GPSLongitude=87.6543", group="XMP-exif", tag="GPSLongitude", expect="87.6543",
         markers=["87,39.258E"], box="XMP packet, as above"),
    dict(arg="-ItemList:Title=MarkerTitle", group="ItemList", tag="Title", expect="MarkerTitle",
         markers=["MarkerTitle"], box="moov/udta/meta(mdir)/ilst/©nam"),
    dict(arg="-ItemList:Author=MarkerItemAuthor", group="ItemList", tag="Author",
         expect="MarkerItemAuthor", markers=["MarkerItemAuthor"], box="moov/udta/meta(mdir)/ilst/auth"),
    dict(arg="-ItemList:Artist=MarkerArtist", group="ItemList", tag="Artist", expect="MarkerArtist",
         markers=["MarkerArtist"], box="moov/udta/meta(mdir)/ilst/©ART"),
]

# What ffmpeg writes into the fragmented file (exiftool 12.57 refuses to write it:
# "Can't yet handle movie fragments when writing").  -movflags use_metadata_tags
# makes ffmpeg store them as Apple mdta keys in moov/udta/meta (not moov/meta).
FFMPEG_FRAG_TAGS = [
    dict(arg="title=MarkerFragTitle", group="Keys", tag="Title", expect="MarkerFragTitle",
         markers=["MarkerFragTitle"], box="moov/udta/meta keys+ilst (mdta title)"),
    dict(arg="com.apple.quicktime.make=MarkerFragMake", group="Keys", tag="Make",
         expect="MarkerFragMake", markers=["MarkerFragMake"],
         box="moov/udta/meta keys+ilst (mdta com.apple.quicktime.make)"),
    dict(arg="com.apple.quicktime.location.ISO6709=+56.7891-012.3457/", group="Keys",
         tag="GPSCoordinates", expect="56.7891 -12.3457", markers=["+56.7891-012.3457"],
         box="moov/udta/meta keys+ilst (mdta com.apple.quicktime.location.ISO6709)"),
    dict(arg="creation_time=" + CREATION_TIME, group="Keys", tag="CreationTime",
         expect=CREATION_TIME, markers=[CREATION_TIME],
         box="moov/udta/meta keys+ilst (mdta creation_time); also mvhd/tkhd/mdhd times"),
]

# The files: name, how ffmpeg made it, expected codecs, what was added.
FILES = [
    dict(file="h264_aac_moovlast.mp4", container="mp4", video="h264", tag="avc1", moov="last", base="h264_aac_moovlast.mp4",
         how="ffmpeg -f mp4; exiftool; mp4box.py moov-last", exiftool=True),
    dict(file="h264_aac_faststart.mp4", container="mp4", video="h264", tag="avc1", moov="first", base="h264_aac_faststart.mp4",
         how="ffmpeg -f mp4 -movflags +faststart; exiftool", exiftool=True),
    dict(file="h264_aac.mov", container="mov", video="h264", tag="avc1", moov="last", base="h264_aac.mov",
         how="ffmpeg -f mov; exiftool; mp4box.py moov-last", exiftool=True),
    dict(file="h264_aac.3gp", container="3gp", video="h264", tag="avc1", moov="first", base="h264_aac.3gp",
         how="ffmpeg -f 3gp (H.264+AAC accepted); exiftool (moves moov first); "
             "mp4box.py add-udta titl", exiftool=True, titl=True),
    dict(file="h264_aac.m4v", container="m4v", video="h264", tag="avc1", moov="last", base="h264_aac.m4v",
         how="ffmpeg -f ipod (.m4v, brand 'M4V '); exiftool; mp4box.py moov-last", exiftool=True),
    dict(file="hevc_aac_faststart.mp4", container="mp4", video="hevc", tag="hvc1", moov="first",
         base="hevc_aac_faststart.mp4",
         how="ffmpeg -c:v libx265 -tag:v hvc1 -f mp4 -movflags +faststart; exiftool", exiftool=True),
    dict(file="hevc_aac.mov", container="mov", video="hevc", tag="hvc1", moov="last", base="hevc_aac.mov",
         how="ffmpeg -c:v libx265 -tag:v hvc1 -timecode 01:00:00:00 -f mov; exiftool; mp4box.py moov-last",
         exiftool=True, timecode=True),
    dict(file="h264_aac_fragmented.mp4", container="mp4", video="h264", tag="avc1", moov="first",
         fragmented=True, how="ffmpeg -f mp4 -movflags frag_keyframe+empty_moov+use_metadata_tags "
                              "-metadata ... (exiftool cannot write fragmented files)", ffmpeg_tags=True),
    dict(file="timed_gpmd.mp4", container="mp4", video="h264", tag="avc1", moov="last", base="h264_aac_moovlast.mp4",
         data="gpmd", data_codec="bin_data", marker="GPMD-SECRET-LOCATION-MARKER", extra_markers=["MarkerCam"],
         how="plain ffmpeg -f mp4 output (no exiftool); timed_metadata.py --kind gpmd "
             "(samples appended to the existing mdat, stco)"),
    dict(file="timed_gpmd_co64.mp4", container="mp4", video="h264", tag="avc1", moov="last",
         base="h264_aac_moovlast.mp4",
         data="gpmd", data_codec="bin_data", marker="GPMD-SECRET-LOCATION-MARKER", co64=True,
         extra_markers=["MarkerCam"],
         how="plain ffmpeg -f mp4 output; timed_metadata.py --kind gpmd --co64 --second-mdat "
             "(all tracks co64, samples in a second mdat)"),
    dict(file="timed_mebx.mov", container="mov", video="h264", tag="avc1", moov="last", base="h264_aac.mov",
         data="mebx", data_codec="unknown", marker="MEBX-SECRET-LOCATION-MARKER",
         extra_markers=["+45.6789+123.4567"],
         how="plain ffmpeg -f mov output; timed_metadata.py --kind mebx (gmhd, mhlr, keys: "
             "location.ISO6709 + comment; samples appended to the existing mdat)"),
]

# Identifying strings that are not markers: a cleaner may or may not remove them.
INCIDENTAL = [b"Lavf59", b"x264 - core", b"x265 (build", b"Image::ExifTool"]


def fx(v):
    return struct.pack(">i", round(v * 65536))


def loci_value():
    return (LOCI["place"].encode() + b"\0" + bytes([LOCI["role"]]) + fx(LOCI["lon"]) + fx(LOCI["lat"])
            + fx(LOCI["alt"]) + LOCI["body"].encode() + b"\0" + LOCI["notes"].encode() + b"\0")


def titl_payload():
    # FullBox version/flags, pad bit + ISO-639-2/T 'eng' packed, UTF-8 string, NUL
    lang = ((ord("e") - 0x60) << 10) | ((ord("n") - 0x60) << 5) | (ord("g") - 0x60)
    return struct.pack(">IH", 0, lang) + TITL.encode() + b"\0"


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True)


def ffprobe(path):
    r = run(["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", path])
    return r.returncode, r.stderr.strip(), (json.loads(r.stdout) if r.returncode == 0 else {})


def exif_values(path):
    r = run(["exiftool", "-j", "-a", "-G1", "-n", "-Keys:all", "-UserData:all", "-XMP:all",
             "-ItemList:all", path])
    if not r.stdout.strip():
        return {}

    def pairs(kv):  # with -a a key can repeat (e.g. UserData:Title from both ©nam and titl)
        d = {}
        for k, v in kv:
            d.setdefault(k, []).append(v)
        return d
    return json.loads(r.stdout, object_pairs_hook=pairs)[0]


def locate(data, needle):
    out, i = [], data.find(needle)
    while i >= 0:
        out.append(i)
        i = data.find(needle, i + 1)
    return out


def check_spec():
    allm = [m for t in EXIFTOOL_TAGS for m in t["markers"]] + [TITL]
    for a in allm:
        for b in allm:
            if a != b and a in b:
                raise SystemExit("marker %r is a substring of %r" % (a, b))


def build(outdir, workdir):
    check_spec()
    problems, entries = [], []
    for spec in FILES:
        path = os.path.join(outdir, spec["file"])
        data = open(path, "rb").read()
        e = dict(file=spec["file"], size=len(data), container=spec["container"],
                 major_brand=data[8:12].decode("latin-1"), how=spec["how"])
        errs = []

        # streams and durations
        rc, err, probe = ffprobe(path)
        if rc or err:
            errs.append("ffprobe: " + err)
        streams = [dict(index=s["index"], type=s["codec_type"], codec=s.get("codec_name", "unknown"),
                        tag=s.get("codec_tag_string"), duration=float(s.get("duration", "nan")),
                        packets=int(s["nb_frames"]) if "nb_frames" in s else None)
                   for s in probe.get("streams", [])]
        e["streams"] = streams
        e["duration"] = float(probe.get("format", {}).get("duration", "nan"))
        want = [("video", spec["video"], spec["tag"]), ("audio", "aac", "mp4a")]
        if spec.get("timecode"):
            want.append(("data", "unknown", "tmcd"))
        if spec.get("data"):
            want.append(("data", spec["data_codec"], spec["data"]))
        got = [(s["type"], s["codec"], s["tag"]) for s in streams]
        if got != want:
            errs.append("streams %s, expected %s" % (got, want))
        if not 0.9 <= e["duration"] <= 1.2:
            errs.append("duration %s" % e["duration"])
        r = run(["ffmpeg", "-nostdin", "-v", "error", "-i", path, "-map", "0:v", "-map", "0:a",
                 "-c", "copy", "-f", "null", "-"])
        if r.returncode or r.stderr.strip():
            errs.append("ffmpeg copy of video+audio failed: " + r.stderr.strip())
        if spec.get("base"):
            # the metadata writing must not have touched a single audio or video packet
            def packets(p):
                lines = run(["ffmpeg", "-nostdin", "-v", "error", "-i", p, "-map", "0:v", "-map", "0:a",
                            "-c", "copy", "-f", "framemd5", "-"]).stdout.splitlines()
                return [x for x in lines if not x.startswith("#")]
            if packets(path) != packets(os.path.join(workdir, spec["base"])):
                errs.append("audio/video packets differ from ffmpeg's original")
        e["video_codec"], e["video_tag"], e["audio_codec"] = spec["video"], spec["tag"], "aac"
        e["data_codec"] = spec.get("data")

        # structure
        top = mp4box.layout(data)
        e["layout"] = top
        e["fragmented"] = "moof" in top
        moov = "first" if top.index("moov") < top.index("mdat") else "last"
        e["moov"] = moov
        if moov != spec["moov"] or e["fragmented"] != bool(spec.get("fragmented")):
            errs.append("layout %s, expected moov %s" % (top, spec["moov"]))
        kinds = sorted({p.rsplit("/", 1)[1] for p, *_ in mp4box.walk(data)
                        if p.endswith(("/stco", "/co64"))})
        e["chunk_offsets"] = "+".join(kinds)
        if ("co64" in kinds) != bool(spec.get("co64")):
            errs.append("chunk offset boxes %s" % kinds)
        e["header_times"] = dict(value=CREATION_TIME, quicktime_seconds=CREATION_SECONDS,
                                 boxes="mvhd, tkhd and mdhd creation/modification times",
                                 note="binary fields, set by ffmpeg -metadata creation_time; "
                                      "not in markers")

        # metadata
        meta, not_written = [], []
        tags = EXIFTOOL_TAGS if spec.get("exiftool") else FFMPEG_FRAG_TAGS if spec.get("ffmpeg_tags") else []
        vals = exif_values(path) if tags else {}
        for t in tags:
            key = "%s:%s" % (t["group"], t["tag"])
            v = vals.get(key, [])
            landed = any(str(x) == t["expect"] or (t["tag"] == "LocationInformation" and t["expect"] in str(x))
                         for x in v)
            arg = t["arg"].replace("<=LOCI", "<=(binary loci value)")
            item = dict(written_by="exiftool 12.57" if spec.get("exiftool") else "ffmpeg -metadata",
                        arg=arg, exiftool_group=t["group"], tag=t["tag"], value=t["expect"],
                        markers=t["markers"], boxes=sorted({mp4box.box_path_at(data, i)
                                                            for m in t["markers"]
                                                            for i in locate(data, m.encode())}))
            if landed:
                meta.append(item)
            else:
                not_written.append(dict(arg=arg, reason="exiftool -G1 shows %s=%r" % (key, v or None)))
        if spec.get("titl"):
            meta.append(dict(written_by="mp4box.py add-udta (exiftool 12.57 cannot write 'titl': "
                                        "UserData:Title always goes to ©nam)",
                             arg=None, exiftool_group="UserData", tag="Title (3GPP titl)", value=TITL,
                             markers=[TITL], boxes=sorted({mp4box.box_path_at(data, i)
                                                           for i in locate(data, TITL.encode())})))
            if TITL not in run(["exiftool", "-a", "-G1", "-s", "-UserData:Title", path]).stdout:
                errs.append("exiftool does not read back the titl box")
        if spec.get("marker"):
            ms = [spec["marker"]] + spec.get("extra_markers", [])
            meta.append(dict(written_by="timed_metadata.py", arg=None, exiftool_group=None,
                             tag="timed metadata samples (%s track)" % spec["data"], value=spec["marker"],
                             markers=ms, boxes=sorted({mp4box.box_path_at(data, i)
                                                       for m in ms for i in locate(data, m.encode())})))
        e["metadata"] = meta
        e["not_written"] = not_written
        if spec.get("fragmented"):
            e["not_written"].append(dict(arg="(all exiftool tags)", reason="exiftool 12.57: Can't yet "
                                         "handle movie fragments when writing"))
        e["markers"] = sorted({m for it in meta for m in it["markers"]})
        for m in e["markers"]:
            if not locate(data, m.encode()):
                errs.append("marker %r not in the file" % m)
        e["incidental"] = {s.decode(): sorted({mp4box.box_path_at(data, i) for i in locate(data, s)})
                           for s in INCIDENTAL if s in data}
        log = os.path.join(workdir, spec["file"] + ".exiftool.log")
        if os.path.exists(log) and open(log).read().strip():
            e["exiftool_messages"] = open(log).read().strip().splitlines()
        if errs:
            problems += ["%s: %s" % (spec["file"], x) for x in errs]
        entries.append(e)
        print("%-26s %6d B  %-5s moov %-5s %-9s %2d markers %s" % (
            spec["file"], len(data), spec["container"], moov, e["chunk_offsets"], len(e["markers"]),
            "OK" if not errs else "FAIL"), file=sys.stderr)

    manifest = dict(
        generator="tests/videos/make.sh",
        tools=dict(ffmpeg=run(["ffmpeg", "-version"]).stdout.split()[2],
                   exiftool=run(["exiftool", "-ver"]).stdout.strip()),
        fields=dict(
            markers="exact ASCII byte strings present in the file; a cleaned file must contain none",
            metadata="each piece of metadata written: the command argument, the group exiftool -G1 "
                     "reports it in, and the box paths where its markers sit (found by byte search)",
            not_written="metadata that was asked for but did not land, with the reason",
            moov="'first' or 'last' relative to the first mdat; layout is the top-level box order",
            incidental="identifying strings that are not markers (encoder names, codec SEI), "
                       "with where they sit; keeping them is a policy choice",
        ),
        notes=[
            "exiftool 12.57 always rewrites a file as moov-before-mdat; the moov-last files were "
            "moved back with mp4box.py moov-last (uuid/XMP goes after moov).",
            "exiftool 12.57 cannot write the 3GPP 'titl' box (UserData:Title -> ©nam, tag IDs are not "
            "writable); it is added by hand to the 3GP only. 'auth' and 'loci' are written by exiftool.",
            "exiftool 12.57 refuses fragmented files; the fragmented file's metadata is ffmpeg's.",
        ],
        files=entries,
    )
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    for p in problems:
        print("FAIL " + p, file=sys.stderr)
    return 1 if problems else 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "exiftool-args":
        for t in EXIFTOOL_TAGS:
            print(t["arg"].replace("<=LOCI", "<=" + argv[2]) if len(argv) > 2 else t["arg"])
    elif cmd == "ffmpeg-frag-args":
        for t in FFMPEG_FRAG_TAGS:
            print("-metadata")
            print(t["arg"])
    elif cmd == "loci":
        open(argv[2], "wb").write(loci_value())
    elif cmd == "titl-hex":
        print(titl_payload().hex())
    elif cmd == "files":
        for f in FILES:
            print(f["file"])
    elif cmd == "build":
        sys.exit(build(argv[2], argv[3]))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
