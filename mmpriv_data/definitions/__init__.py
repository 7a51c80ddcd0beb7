"""Dataset definitions, one module per published dataset: its parameters (declared once,
in `Params`), configs, features and row maker; `registry` lists them.

May import `core`, `content`, `transforms` and `files`. `builders/` wraps each definition
in a `datasets.GeneratorBasedBuilder`.
"""
