"""The colour of eyes or hair whose owner is not named (round 16, after heldout17): "The
eyes are blue.", "Freckles, strawberry blonde hair, blue eyes, missing both front teeth.",
"the same hazel eyes, the same wavy chestnut hair". Chat about a photo and sketch notes name
the feature alone; round 15 read a beard's colour so ("a white beard frames their jaw").

The colour goes when the feature opens its phrase (after "the", "a", "same", a comma or the
start of the text) and nothing in the text could own it but a person: no animal, doll, toy
or statue anywhere ("A cat sleeps. The eyes are green." stays).

>>> from mmpriv_data.transforms.scrub import scrub
>>> scrub("Freckles, red hair, blue eyes, missing both front teeth.").text
'Freckles, hair, eyes, missing both front teeth.'
>>> scrub("The kitten is asleep; the eyes are blue.").text
'The kitten is asleep; the eyes are blue.'
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub.lexicon import NOT_PEOPLE

# Facial hair is a person's ("a white beard frames their jaw") unless a goat's (round 15).
_FACIAL_HAIR = frozenset("beard moustache mustache goatee sideburns stubble".split())
_BEARDED_ANIMALS = frozenset("goat goats billy dog dogs terrier schnauzer dragon".split())
# Words before a colour that still leave it a person's ("one blue eye and one brown eye").
LEADS = frozenset({"a", "an", "the", "one", "both", "two"})
# Words before the colour that leave the feature without an owner of its own.
_OPENS = frozenset({"the", "a", "same", "of", ",", ";", ":", "and", "(", '"', "."})
HEADS = frozenset({"eyes", "hair"})  # not "eye": "a red eye flight", "the eye of the storm"
# Prepositions whose object a feature is not a person's ("dye for black hair").
_OBJECT_OF = frozenset({"for", "to", "from", "against", "about"})
# Owners other than people; pictures are what captions show people in, so they do not count.
_NOT_OWNERS = NOT_PEOPLE - frozenset({"photo", "picture", "painting", "poster"}) | frozenset(
    "breed hound hounds setter setters dachshund terrier retriever spaniel poodle collie "
    "labrador shepherd pup pups tabby mare stallion foal pony fur mane muzzle paws".split()
)  # a dog show's "red coat and hazel eyes" (heldout12, heldout14, heldout15, heldout17)


def unowned_colour(sc, h: int, p: int) -> bool:
    """Whether the colour before the eyes, hair or beard at h (its phrase opening after p)
    is a person's with no owner named. sc: the Scrubber."""
    if sc.low[h] in _FACIAL_HAIR:  # after "a", "the", "one"... with no goat before (round 15)
        return sc.lw(p) in LEADS and _BEARDED_ANIMALS.isdisjoint(sc.low[sc.sentence_start(h) : h])
    opens = p < 0 or sc.low[p] in _OPENS
    if opens and sc.low[p] == "and":  # "with curly hair and olive-green eyes", not "dye for
        opens = _OBJECT_OF.isdisjoint(sc.low[max(0, p - 4) : p])  # black hair and brown hair"
    return sc.low[h] in HEADS and opens and _NOT_OWNERS.isdisjoint(sc.low)
