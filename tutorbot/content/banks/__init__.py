"""Question banks from other tools: importers that turn an instructor's file into topics, and
exporters that write topics in an LMS's format.

Each format has a module with a reader, `read_<format>(upload) -> Bank`, which parses the file
into drafts (`draft.py`) and a `Problem` for every item it could not take; `build.py` turns the
drafts into validated `Topic` models (ids, explanations, packs of at most 100 questions) and
`write.py` writes them as topic YAML. Readers never write anything and never run code from the
file: everything they read is bounded by `limits.py`.
"""
