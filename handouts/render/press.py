"""The last touches a print-ready PDF gets: its output intent and font subset tags.

ReportLab has no API for either, so the finished file is opened with
pikepdf, changed, and saved deterministically (the same input bytes give the
same output bytes, /ID included).

- Output intent: the CMYK profile every colour was converted through
  (render.inks), embedded as /OutputIntents with /S /GTS_PDFX, so a print
  shop's RIP and preflight know which printing condition the CMYK numbers
  are meant for.
- Subset tags: ReportLab names the first subset of every font `AAAAAA+`,
  the second `AAAAAB+`, and so on, in every font and every document, so two
  different subsets share a name and imposition and merging tools take one
  for the other. Each subset is renamed after a hash of its own font
  program: different subsets get different tags, identical ones the same.
"""

from __future__ import annotations

import hashlib
import io
import re

from .inks import OUTPUT_CONDITION, OUTPUT_CONDITION_INFO, REGISTRY, profile_bytes

_SUBSET_NAME = re.compile(r"^/?([A-Z]{6})\+(.+)$")


def finish_for_press(data: bytes) -> bytes:
    """Add the output intent and give each font subset a tag of its own."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        _add_output_intent(pdf)
        _retag_subsets(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True,
                 object_stream_mode=pikepdf.ObjectStreamMode.preserve, linearize=False)
    return out.getvalue()


def _add_output_intent(pdf) -> None:
    import pikepdf

    profile = pikepdf.Stream(pdf, profile_bytes())
    profile.N = 4
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent,
        S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION),
        OutputCondition=pikepdf.String(OUTPUT_CONDITION_INFO),
        RegistryName=pikepdf.String(REGISTRY),
        Info=pikepdf.String(OUTPUT_CONDITION_INFO),
        DestOutputProfile=pdf.make_indirect(profile),
    )
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(intent)])


def subset_tag(font_program: bytes, name: str, salt: int = 0) -> str:
    """Six capital letters derived from a subset's font program and font name."""
    digest = hashlib.sha256(f"{salt}:{name}:".encode() + font_program).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(6):
        number, index = divmod(number, 26)
        letters.append(chr(ord("A") + index))
    return "".join(letters)


def _retag_subsets(pdf) -> None:
    import pikepdf

    fonts = []
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary) or obj.get("/Type") != pikepdf.Name.Font:
            continue
        base = obj.get("/BaseFont")
        match = _SUBSET_NAME.match(str(base)) if base is not None else None
        descriptor = obj.get("/FontDescriptor")
        program = descriptor.get("/FontFile2") if descriptor is not None else None
        if match and program is not None:
            fonts.append((obj, descriptor, match.group(2), program.read_bytes()))  # a PDF stream, not an input
    # In document order, so a (vanishingly rare) hash clash resolves the same way every time.
    used: dict[str, bytes] = {}
    for font, descriptor, name, program in fonts:
        key = name.encode() + b"\0" + program
        salt = 0
        tag = subset_tag(program, name)
        while tag in used and used[tag] != key:
            salt += 1
            tag = subset_tag(program, name, salt)
        used[tag] = key
        font.BaseFont = pikepdf.Name(f"/{tag}+{name}")
        descriptor.FontName = pikepdf.Name(f"/{tag}+{name}")
