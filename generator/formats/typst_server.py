"""The typst compile child (generator/formats/typst_child.py explains why and the frames).

Started as `python -m generator.formats.typst_server FONT_DIR…`; reads sources from stdin
until it closes, answers each with its PDF or typst's messages on stdout.
"""

from __future__ import annotations

import sys

from generator.formats.typst_child import HEADER


def serve(font_dirs: tuple[str, ...]) -> None:
    """The child's loop: read a source, answer with its PDF or typst's messages."""
    import typst

    from generator.formats.pdf import EPOCH, compiler, offline

    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    compiler(font_dirs)  # fonts loaded before the first source comes (typst_child.warm)
    while header := stdin.read(HEADER):
        source = stdin.read(int.from_bytes(header, "big"))
        try:
            with offline():
                pdf, warnings = compiler(font_dirs).compile_with_warnings(
                    input=source, timestamp=EPOCH)
            kind, payload = ((b"W", "; ".join(str(w.message) for w in warnings).encode())
                             if warnings else (b"P", bytes(pdf)))
        except typst.TypstError as exc:
            kind, payload = b"E", str(exc).encode("utf-8")
        stdout.write(kind + len(payload).to_bytes(HEADER, "big") + payload)
        stdout.flush()


if __name__ == "__main__":
    serve(tuple(sys.argv[1:]))
