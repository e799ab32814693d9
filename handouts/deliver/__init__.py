"""Deliver: the ways a rendered handout leaves the tool.

`files` writes one file atomically, `batch` one file per provider with an
audit manifest; email and printing live beside them.
"""
