"""handouts: branded, print-ready PDF patient handouts from YAML content.

The public API. Each name is imported on first use, so that `handouts
--version` and `--help` start without loading ReportLab:

    import handouts
    handouts.build_handout("my-clinic", output="knee.pdf")
    prepared = handouts.prepare_checked("my-clinic", layout="large-print")
    pdf, pages = handouts.render_handout(prepared, patient_name="Ana Pérez")
"""

from __future__ import annotations

from .version import __version__

__all__ = ["Editions", "EmailOptions", "HandoutError", "Options", "Prepared", "__version__", "build_batch", "build_handout", "fill_reader",
           "lint_handout", "merge_manifests", "prepare", "prepare_checked", "print_handout", "render_handout",
           "render_handout_html", "render_one", "send_handouts"]


def __getattr__(name: str):
    # Imported here, one module a name, so that the import graph (tools/imports.py) sees every arrow.
    if name == "HandoutError":
        from . import errors as home
    elif name in ("prepare", "prepare_checked", "Prepared"):
        from .pipeline import prepare as home
    elif name == "Options":
        from .pipeline import options as home
    elif name == "Editions":
        from .pipeline import editions as home
    elif name == "fill_reader":
        from .pipeline import reader as home
    elif name in ("render_handout", "render_handout_html", "render_one"):
        from .pipeline import produce as home
    elif name == "lint_handout":
        from .pipeline import lint as home
    elif name == "build_handout":
        from .deliver import single as home
    elif name == "build_batch":
        from .deliver import batch as home
    elif name == "merge_manifests":
        from .deliver import manifest as home
    elif name == "print_handout":
        from .deliver import printing as home
    elif name == "send_handouts":
        from .deliver.email import mailing as home
    elif name == "EmailOptions":
        from .deliver.email import options as home
    else:
        raise AttributeError(f"module 'handouts' has no attribute {name!r}")
    return getattr(home, name)
