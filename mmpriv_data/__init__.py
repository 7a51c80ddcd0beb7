"""mmpriv: synthetic privacy datasets for multimodal LLM research (data core, no torch).

The subpackages follow the data flow, each importing only the ones before it:
`core` (seeding, schema, errors, atomic writes, model loading) -> `content` (identities,
portraits, questions, scenes, captions, SPY documents) -> `transforms` (text embedding,
augmentation, neighbours, scrubbing) -> `files` (the user's own sources and exports) ->
`definitions` (one per published dataset: Params, configs, rows) -> `hub` (build, cards,
verify, audit, publish) -> `cli` (the `mmpriv` command). `trainers/` and `evaluators/` consume
the datasets and sit between `hub` and `cli`.
"""

__version__ = "0.1.0"
