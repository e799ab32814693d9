"""The middle of the pipeline: a handout prepared once, filled and rendered for each reader.

`prepare` loads and checks a handout (every input problem and lint error
at once), `editions` keeps one prepared edition per language, `reader`
fills it for one reader, `produce` renders that to PDF or HTML bytes, and
`lint` runs lint with the signed page laid out. Every way out (deliver/)
calls these; nothing here writes a file.
"""
