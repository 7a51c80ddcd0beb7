"""SPY-Bench-style personalized privacy instructions with exact ground truth.

`taxonomy` holds SPY-Bench's categories and scenarios, `render` draws private content whose
values are known, `prompts` builds the instruction rows and preference pairs.
"""
