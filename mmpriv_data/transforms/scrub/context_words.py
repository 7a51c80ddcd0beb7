"""Context words the scrubber's rules look at: nouns that make a person noun a modifier
("man cave"), games whose king and queen are pieces, words after hair that name a thing
("hair dryer"), style words of hair and eyes, nouns of origin, heads left bare, animals and
objects that own eyes and hair, titles inside names. Split from `lexicon` (size); `lexicon`
re-exports every name.

>>> "chess" in GAME_WORDS, "descent" in ORIGIN
(True, True)
"""

from __future__ import annotations

# "baby" is a modifier, not a person, before these ("baby elephant", "baby stroller").
BABY_MODIFIED = frozenset(
    "elephant elephants giraffe giraffes zebra zebras bear bears animal animals bird birds cow "
    "cows horse horses goat goats sheep lamb duck ducks chick chicks seal seals stroller "
    "strollers carriage bottle bottles food shower seat clothes toys toy monitor grand carrot "
    "carrots spinach shark sharks penguin penguins deer".split()
)
COWBOY_MODIFIED = frozenset({"hat", "hats", "boots", "boot"})

# Nouns after which a gendered or age noun is a modifier, not a person ("man cave").
MODIFIED = BABY_MODIFIED | frozenset(
    "cave band bands scout scouts ship board size sized bed beds power hole hours made seat "
    "seats care gate hostel soccer team league center centre club camp orchestra football "
    "supervision content discount menu safety proof book books room bedroom magazine "
    "playground pool section ticket tickets restroom restrooms bathroom bathrooms toilet "
    "toilets locker lockers changing bee bees ant ants termite termites wasp wasps hornet "
    "hornets gloves glove cactus cobra cobras crab crabs bumblebee bumblebees salmon hen "
    "hens spider spiders snake snakes moth moths beetle beetles clock clocks conch "
    "longlegs long-legs".split()  # "a daddy longlegs": a spider (round 12)
)
# "QUEEN STREET" in capitals; "a Portuguese man o' war", a jellyfish (round 15).
MODIFIED |= {"street", "road", "avenue", "lane", "o"}
MODIFIED |= {"breath"}  # "baby's breath", a flower (round 18)
# King and queen are chess pieces or playing cards when the text speaks of a game.
ROYALS = frozenset(
    w for piece in ("king", "queen", "bishop", "knight") for w in (piece, piece + "s", piece + "'s")
)
GAME_WORDS = frozenset(
    "chess chessboard pawn pawns rook rooks checkmate castles castled castling kingside "
    "queenside card cards deck poker clubs hearts spades diamonds dealer solitaire hive hives "
    "check checkmated stalemate bishop bishops bishop's knight knights board boards piece "
    "pieces ace aces jack jacks flush "
    "colony beekeeper honeycomb apiary anthill hive's colony's bee bees ant ants wasp wasps "
    "drone drones swarm larvae prawn prawns".split()
) | {f + r for f in "abcdefgh" for r in "12345678"}  # (insects: "the hive's queen"; "to g8")

FEATURE_COMPOUND = frozenset(
    "dryer dryers brush brushes clip clips tie ties band bands salon spray gel stylist "
    "products product net pin pins glasses drops chart shadow liner wash lotion armor "
    "armour language shop shops care".split()
)

CONTINUES = frozenset(
    "in tied pulled styled braided that which up down pinned slicked falling flowing cut "
    "worn swept combed parted".split()
)

STYLE = frozenset(
    "long short curly wavy straight thick thin messy shoulder-length cropped braided spiky "
    "shaggy neat tousled sleek shiny slicked-back bright piercing big large small "
    "almond-shaped deep-set sparkling closed narrow wide round full bushy trimmed "
    "well-groomed natural dyed colored coloured highlighted streaked wispy watery "
    "fine silky glossy soft coarse frizzy".split()  # (heldout6: "fine red hair")
)

ORIGIN = frozenset({"descent", "origin", "heritage", "ethnicity", "background", "ancestry"})

# Heads that say nothing once their colour or size is gone ("with blue eyes" goes whole).
BARE_HEADS = frozenset(
    "eyes eye irises iris hair skin complexion build physique frame figure height stature "
    "body shoulders arms legs chest belly stomach waist face cheeks temples roots highlights hips "
    "streaks".split()
) | {"skin tone", "eye color", "eye colour", "hair color", "hair colour"}

NOT_PEOPLE = frozenset(
    "dog dogs cat cats horse horses bird birds cow cows sheep bear bears teddy doll dolls "
    "statue statues mannequin mannequins toy toys puppy puppies kitten kittens animal "
    "animals giraffe giraffes zebra zebras elephant elephants monkey monkeys lion lions "
    "painting poster picture photo figurine robot rabbit rabbits bunny bunnies hamster goat "
    "goats pig pigs fox foxes wolf wolves owl owls parrot parrots fish frog frogs lizard deer "
    "mouse mice rat rats duck ducks chicken chickens donkey donkeys".split()
)
# Things of NOT_PEOPLE made in a living thing's likeness: no animal.
LIKENESSES = frozenset(
    "teddy doll dolls statue statues mannequin mannequins toy toys painting poster picture "
    "photo figurine robot".split()
)

# Animals after an age noun, which then gives the animal's age ("both senior dogs"; round
# 15); not those spelled like verbs ("his son fish", "the kids horse around").
ANIMALS = (
    NOT_PEOPLE
    - LIKENESSES
    - frozenset(
        "fish duck ducks bear bears horse horses monkey monkeys wolf fox rat rats pig pigs "
        "mouse".split()
    )
)

# Titles that, capitalised before a capitalised name, are part of the name ("Queen Victoria").
NOBLE_TITLES = frozenset(
    "king queen prince princess duke duchess lord lady sir dame emperor empress".split()
)
# Dog breeds named "<origin> shepherd": the shepherd is then a dog, not a herder.
SHEPHERD_BREEDS = frozenset("german australian anatolian belgian caucasian dutch".split())
