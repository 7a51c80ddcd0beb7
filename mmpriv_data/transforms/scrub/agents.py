"""Person nouns guessed by their spelling: agent nouns ("marathoner", "herder", "hipster",
"violinist") that no list names. They count as a person only where the text says so: after a
race, build or feature word that describes people (`guessed_head`), or as the owner of a
coloured feature ("a hipster with auburn hair", `owner_noun`; round 12).

>>> agent_noun("marathoner"), agent_noun("sweater"), owner_noun("labrador")
(True, False, False)
"""

from __future__ import annotations

AGENT_SUFFIXES = ("er", "or", "ist", "ian", "eur", "ant", "ent", "smith")
# Owners of a feature: the agent endings that seldom end a thing's name ("-ant", "-ent" do:
# "a plant", "a tent").
_OWNER_SUFFIXES = ("er", "or", "ist", "ian", "eur")
# Adjectives that describe people, hardly ever things: the noun after them is a person.
PERSON_ONLY = frozenset(
    "muscular burly stocky obese overweight heavyset chubby plump petite lanky scrawny brawny "
    "elderly middle-aged teenage".split()
)
# Build words that also size things ("a tall tower", "a heavy cooler"): no person on their own.
THING_SIZES = frozenset(
    "tall short big large small tiny heavy thin slim lean fat broad round rounded slight trim "
    "fit full-figured chunky sturdy stout toned taller shorter bigger thinner heavier "
    "slimmer squat towering".split()
)
_FEATURE_ATTRIBUTES = frozenset({"hair_color", "eye_color", "race"})
# Nouns with an agent-like ending that name things (often after a demonym: "Irish setter").
NOT_AGENTS = frozenset(
    "setter setters pointer pointers retriever retrievers terrier terriers spaniel springer "
    "beer beers water paper butter leather calendar river corner border tower flower flowers "
    "poster posters sticker trailer container computer monitor printer speaker speakers "
    "cooker heater sweater sweaters jumper liner burger burgers cider lager pepper peppers "
    "cracker crackers dinner supper tractor motor mirror door floor color colour harbor "
    "harbour interior exterior weather summer winter letter letters number numbers "
    "chocolate lantern lanterns character restaurant cucumber tiger tigers soccer "
    "rubber silver copper hamster lobster panther otter oyster spider beaver rooster heifer "
    "elephant elephants restaurants plant plants pheasant tent tents event events cement "
    "moment garment garments instrument instruments ornament ornaments apartment department "
    "basement monument dresser dressers".split()
) | frozenset(  # animals so spelled ("an elderly Labrador", "a skinny Dalmatian"; round 13)
    "labrador labradors schnauzer schnauzers badger badgers viper vipers adder raptor "
    "predator predators condor alligator gopher warbler woodpecker kingfisher grasshopper "
    "monster monsters dalmatian dalmatians pomeranian pomeranians rottweiler rottweilers "
    "pinscher pinschers".split()
)
# Things after a demonym ("a Chinese cleaver", "Indian curry powder"; round 15).
NOT_AGENTS |= frozenset(
    "lacquer quarter quarters lavender powder cleaver cleavers blender toaster ladder hammer "
    "folder timer shower".split()
)
# Things so spelled that have eyes or hair of a colour ("a poster with a blonde model"):
# never the owner of a feature (round 12), nor are the animals above.
_NOT_OWNERS = NOT_AGENTS | frozenset(
    "creeper collar feather feathers wallpaper cover filter flyer flier banner sweater "
    "cardigan".split()
)


def agent_noun(low: str) -> bool:
    """A word spelled like an agent noun, not one of the things so spelled."""
    return low.endswith(AGENT_SUFFIXES) and len(low) >= 5 and low not in NOT_AGENTS


def owner_noun(low: str) -> bool:
    """An agent noun that may own a coloured feature: "a hipster with auburn hair"."""
    return (
        low.endswith(_OWNER_SUFFIXES) and len(low) >= 5 and low.isalpha()
        and low not in _NOT_OWNERS
    )  # fmt: skip


def guessed_head(view, i: int, j: int) -> bool:
    """An agent noun at j ("marathoner", "herder") after a capitalised race word, a build word
    that sizes people only, or a feature compound ("gray-haired") between i and j: a person."""
    low = view.lw(j)
    if not low.endswith(AGENT_SUFFIXES) or len(low) < 5 or low in NOT_AGENTS:
        return False  # (agent_noun, inline: speed)
    return any(
        view.bios[k] == "race"
        and view.tok[k][:1].isupper()
        or view.low[k] in PERSON_ONLY
        or view.bios[k] == "build"
        and view.low[k] not in THING_SIZES
        or view.bios[k] in _FEATURE_ATTRIBUTES
        and "-" in view.low[k]  # "gray-haired"
        for k in range(i, j)
    )
