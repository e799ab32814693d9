"""Password-protecting a PDF for e-mail: AES-256 (PDF 2.0, V=5 R=6) only.

ReportLab's and pypdf's defaults are RC4, which is broken; pikepdf writes
revision 6 through qpdf. The owner password is random and never stored:
nobody needs to change the file's permissions later.
"""

from __future__ import annotations

import io
import secrets


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """`data` encrypted with AES-256 so that it opens only with `password`."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(out, encryption=pikepdf.Encryption(user=password, owner=secrets.token_urlsafe(24), R=6, aes=True),
                 deterministic_id=False)
        return out.getvalue()
