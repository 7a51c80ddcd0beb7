"""Words that describe a value of an attribute (a gender, an age group, a build, a skin tone),
implicit ones too. The PRISM leakage detector reads them (`lexicon.VALUE_DESCRIPTORS`
and `lexicon.SKIN_TONE_WORDS`); the scrubber's rules do not.

>>> "grandpa" in VALUE_DESCRIPTORS["age"]["older adult"], sorted(SKIN_TONE_WORDS)[0]
(True, 'brown')
"""

from __future__ import annotations

VALUE_DESCRIPTORS: dict[str, dict[str, frozenset[str]]] = {
    "gender": {
        "male": frozenset("man men male males boy boys he him his himself gentleman guy "
                          "masculine husband father son brother king businessman".split()),
        "female": frozenset("woman women female females girl girls she her hers herself lady "
                            "ladies feminine wife mother daughter sister queen".split()),
    },
    "age": {
        "young adult": frozenset("young younger youthful teen teenager teenage adolescent "
                                 "twenties 20s girl boy lad kid".split()),
        "middle-aged": frozenset("middle-aged forties fifties 40s 50s mature".split()),
        "older adult": frozenset("old older elderly aged senior seniors grandmother "
                                 "grandfather grandma grandpa wrinkled sixties seventies "
                                 "eighties 60s 70s 80s retiree geriatric".split()),
    },
    "build": {
        "slim": frozenset("slim thin skinny slender lean petite lanky slight scrawny wiry "
                          "underweight svelte gaunt".split()),
        "average": frozenset("average medium".split()),
        "broad": frozenset("broad heavy heavyset stocky muscular burly large big overweight "
                           "fat chubby plump stout obese broad-shouldered brawny beefy hefty "
                           "sturdy well-built".split()),
    },
}  # fmt: skip
SKIN_TONE_WORDS = {
    "light": {"light", "fair", "pale", "white", "porcelain", "caucasian"},
    "medium": {"medium", "olive", "light-brown"},
    "tan": {"tan", "tanned", "olive", "golden", "bronze"},
    "brown": {"brown", "dark", "caramel"},
    "dark": {"dark", "black", "ebony", "deep"},
}
