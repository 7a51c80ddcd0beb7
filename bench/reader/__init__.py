"""A small LLaVA-shaped reader model and the ProbingPrivacy experiment run on it (issue 15).

prepare_data (CPU, needs mmpriv) -> train_reader (GPU, curriculum) -> experiment (GPU:
finetunes, hidden states, likelihoods) -> analyze (CPU: statistics, JSON, Markdown, plot).
Every mmpriv import lives in `mmpriv_glue`.
"""
