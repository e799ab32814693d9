"""Load: strict YAML, typed fields, and the brand, roster and project loaders.

Everything here reads a clinic's files as hostile input and reports every
problem with its file and line. The section model and layouts, which the
design keeps at the package's top, are loaded through these pieces too.
"""
