"""Kin and sex words of animals (round 17, heldout18's and heldout19's wrongly changed
words): "a mother koala with a joey", "a meerkat mother stands guard", "a plump mother
hedgehog in an apron", "A blackbird sings; the male is jet black". A kin noun right before or
after an animal noun names the animal's kin, not a person (engine.noun leaves it); "the
male" or "the female" a few words after an animal noun, with no person noun between, is the
animal's sex.

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("A keeper holds eucalyptus up to a mother koala.").text
'A keeper holds eucalyptus up to a mother koala.'
>>> scrub("A meerkat mother stands guard beside a tall woman.").text
'A meerkat mother stands guard beside a person.'
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub.context_words import LIKENESSES, NOT_PEOPLE

# Animals of zoos, gardens, ponds and picture books, with their plurals; not those spelled
# like a person noun or a verb ("a seal", "a crane", "to badger").
_SINGULAR = (
    "koala meerkat hedgehog kangaroo wallaby gorilla chimp chimpanzee orangutan baboon "
    "otter squirrel mallard blackbird kestrel swan robin sparrow pigeon falcon hawk eagle "
    "penguin panda tiger leopard cheetah jaguar hippo rhino camel llama alpaca giraffe zebra "
    "elephant lion bear wolf fox duck goose hen owl dolphin whale walrus puffin heron "
    "deer mole vole beaver raccoon skunk possum weasel ferret"
).split()
ANIMALS = (
    frozenset(_SINGULAR)
    | frozenset(w + ("es" if w.endswith(("x", "ch")) else "s") for w in _SINGULAR)
    | {"geese", "wolves", "mice"}
    | NOT_PEOPLE
) - LIKENESSES
KIN = frozenset("mother father mum mom mama mamma dad daddy papa".split())
SEXES = frozenset({"male", "female", "males", "females"})


def beside_animal(lows: list[str], k: int) -> bool:
    """The kin noun at k stands beside an animal noun ("mother koala", "meerkat mother")."""
    after = lows[k + 1].removesuffix("'s") if k + 1 < len(lows) else ""
    return after in ANIMALS or k > 0 and lows[k - 1] in ANIMALS


def sex_after_animal(lows: list[str], heads: list[bool], i: int) -> bool:
    """ "the male" or "a brown female" a few words after an animal noun, with no person noun
    between: the animal's sex ("A blackbird sings on a chimney pot; the male is ...")."""
    for k in range(i - 1, max(-1, i - 12), -1):
        if heads[k] or lows[k] in g.FULL_STOPS:
            return False  # a person between, or another sentence ("; the male" reads on)
        if lows[k] in ANIMALS:
            return True
    return False
