"""The zlib level of a batch's streams: size and time at each level, per document.

    python benchmarks/zlib_levels.py [--providers 40] [--repeat 5]

Renders the bundled handout for --providers providers of a generated roster
(benchmarks/batch.py's names) in this process, reads every Flate stream of
each PDF back (pikepdf: page operators, font subsets, their ToUnicode maps,
forms; pictures are compressed once per process and left out), and prints,
for zlib levels 1 to 9, the bytes those streams take per document and the
milliseconds compressing them takes per document: all of them, and only
those no earlier document of the batch had (what a batch compresses now
that render.writer keeps what documents share). ReportLab compresses at
zlib's default, level 6; another level changes every PDF's bytes.
Nothing here asserts: it prints figures.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from batch import NAMES  # noqa: E402


def streams_of(data: bytes) -> list[bytes]:
    """The decoded contents of a PDF's Flate streams other than images."""
    import pikepdf

    found = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") != "/Image" \
                    and "/FlateDecode" in str(obj.get("/Filter", "")):
                found.append(obj.read_bytes())  # every filter undone
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--providers", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5, help="timings per level (the fastest is printed)")
    args = parser.parse_args()

    from handouts import prepare, render_handout
    from handouts.load.roster import Provider

    prepared = prepare()
    documents = []
    for i in range(args.providers):
        name = NAMES[i % len(NAMES)].replace("Nguyễn Văn An", "Nguyen Van An")  # the bundled font lacks ễ
        provider = Provider(id=f"z{i}", name=f"{name} {i}", credentials="MD", phone=f"(555) 010-{i:04d}")
        documents.append(streams_of(render_handout(prepared, provider=provider)[0]))
    seen: set[bytes] = set()
    new = []
    for streams in documents:
        new.append([s for s in streams if s not in seen])
        seen.update(streams)
    every = [s for streams in documents for s in streams]
    fresh = [s for streams in new[1:] for s in streams]  # after the first document
    count = len(documents)
    print(f"{count} documents, {len(every) / count:.1f} Flate streams each "
          f"({sum(map(len, every)) / count / 1000:.0f} kB decoded); not in an earlier document: "
          f"{len(fresh) / (count - 1):.1f} a document")
    print("level  kB/doc   ms/doc (all streams)   ms/doc (new streams only)")
    for level in range(1, 10):
        size = sum(len(zlib.compress(s, level)) for s in every) / count / 1000
        timings = []
        for part in (every, fresh):
            best = float("inf")
            for _ in range(args.repeat):
                start = time.perf_counter()
                for stream in part:
                    zlib.compress(stream, level)
                best = min(best, time.perf_counter() - start)
            timings.append(best * 1000 / (count if part is every else count - 1))
        mark = "  (ReportLab's, zlib's default)" if level == 6 else ""
        print(f"{level:5d}  {size:6.1f}   {timings[0]:6.2f}                  {timings[1]:6.2f}{mark}")


if __name__ == "__main__":
    main()
