"""The biometric lexicon: which words describe a person's gender, age, race, eye colour, hair
colour or build, and what a neutral rewrite puts in their place.

Words are removed only where they describe people, so the lexicon separates *person heads*
(nouns naming people) and *feature heads* (eyes, hair, skin, build ...) from the adjectives
that modify them: "old" goes in "an old man" and stays in "an old building".

>>> ATTRIBUTES
('gender', 'age', 'race', 'eye_color', 'hair_color', 'build')
>>> GENDER_NOUNS["waitress"], AGE_NOUNS["toddlers"], PERSON_ADJECTIVES["slender"]
('server', 'people', 'build')
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import lexicon_data as data
from mmpriv_data.transforms.scrub.context_words import (  # noqa: F401 (re-exported)
    BABY_MODIFIED,
    BARE_HEADS,
    CONTINUES,
    COWBOY_MODIFIED,
    FEATURE_COMPOUND,
    GAME_WORDS,
    MODIFIED,
    NOBLE_TITLES,
    NOT_PEOPLE,
    ORIGIN,
    ROYALS,
    SHEPHERD_BREEDS,
    STYLE,
)
from mmpriv_data.transforms.scrub.descriptors import (  # noqa: F401 (for the leakage detector)
    SKIN_TONE_WORDS,
    VALUE_DESCRIPTORS,
)
from mmpriv_data.transforms.scrub.wordforms import (  # noqa: F401 (re-exported)
    AGE_TOKEN,
    DECADE,
    NUMBER_WORD_SET,
    age_compound,
    gradable,
    graded,
)

ATTRIBUTES: tuple[str, ...] = ("gender", "age", "race", "eye_color", "hair_color", "build")
ATTRIBUTE_ALIASES = {
    "ethnicity": "race", "race/ethnicity": "race", "skin": "race", "skin_tone": "race",
    "eye_colour": "eye_color", "eye": "eye_color", "eyes": "eye_color",
    "hair_colour": "hair_color", "hair": "hair_color", "weight": "build",
    "body": "build", "body_weight": "build",
}  # fmt: skip

# Safe-LLaVA's fixed answer to biometric questions; used when scrubbing empties a turn.
BIOMETRIC_REFUSAL = "I'm sorry, but I cannot provide information related to biometric attributes."


def _with_plurals(pairs: dict[str, str], irregular: dict[str, str] | None = None) -> dict:
    """singular -> neutral, plus the regular plural -> neutral plural (and irregular ones)."""
    table = dict(pairs)
    for word, neutral in pairs.items():
        plural = word[:-1] + "ies" if word.endswith("y") and word[-2] not in "aeiou" else word + "s"
        if word.endswith(("ss", "sh", "ch", "x")):
            plural = word + "es"
        table.setdefault(plural, _pluralize(neutral))
    table.update(irregular or {})
    return table


def _pluralize(noun: str) -> str:
    special = {
        "person": "people",
        "child": "children",
        "businessperson": "businesspeople",
        "salesperson": "salespeople",
        "spokesperson": "spokespeople",
        "handyperson": "handypeople",
        "grandchild": "grandchildren",
        "stepchild": "stepchildren",
    }  # fmt: skip ("grandsons": round 8)
    head, _, last = noun.rpartition(" ")
    if last in special:
        return (head + " " if head else "") + special[last]
    if last.endswith("y") and last[-2] not in "aeiou":
        return noun[:-1] + "ies"
    if last.endswith("arch"):  # "monarchs", "matriarchs": a hard "ch"
        return noun + "s"
    return noun + ("es" if last.endswith(("ss", "sh", "ch", "x")) else "s")


# Nouns that name a person by gender only: neutral replacement (data/gendered_nouns.tsv).
GENDER_NOUNS: dict[str, str] = _with_plurals(
    {w: n for w, n in data.gendered_nouns().items() if w not in data.irregular_plurals()},
    {w: n for w, n in data.gendered_nouns().items() if w in data.irregular_plurals()},
)
# Nouns that name a person by age only.
AGE_NOUNS: dict[str, str] = _with_plurals(
    {
        "child": "person", "kid": "person", "toddler": "person", "infant": "person",
        "baby": "person", "newborn": "person", "teen": "person", "teenager": "person",
        "adolescent": "person", "youngster": "person", "youth": "person", "adult": "person",
        "grown-up": "person", "senior": "person", "elder": "person", "retiree": "person",
        "pensioner": "person", "octogenarian": "person", "nonagenarian": "person",
        "old-timer": "person", "oldster": "person", "preteen": "person", "tween": "person",
        "senior citizen": "person", "little ones": "people", "young ones": "people",
        "kindergartner": "person", "centenarian": "person",  # (heldout4)
        "preschooler": "person",  # (heldout5)
        "preemie": "person", "twenty-something": "person", "thirty-something": "person",
        "forty-something": "person",  # (heldout10)
    },
    {"children": "people", "babies": "people", "youths": "people"},
)  # fmt: skip
# Nouns naming both: (neutral, gender removed only -> keeps age, age removed only -> keeps gender)
GENDER_AGE_NOUNS: dict[str, tuple[str, str, str]] = {
    "boy": ("person", "child", "male"), "boys": ("people", "children", "males"),
    "girl": ("person", "child", "female"), "girls": ("people", "children", "females"),
    "lad": ("person", "young person", "male"), "lads": ("people", "young people", "males"),
    "lass": ("person", "young person", "female"),
    "schoolboy": ("student", "student", "student"), "schoolgirl": ("student", "student", "student"),
    "schoolboys": ("students", "students", "students"),
    "schoolgirls": ("students", "students", "students"),
    "grandmothers": ("grandparents", "grandparents", "grandmothers"),
}  # fmt: skip
# Kinship nouns keep their age sense after a possessive ("her children" are offspring).
KINSHIP_AGE_NOUNS = frozenset(
    {"child", "children", "kid", "kids", "baby", "babies", "little ones", "young ones"}
)
# ... except those that also say the offspring is small: "her baby" -> "their child".
KINSHIP_YOUNG = {"baby": "child", "babies": "children", "little ones": "children",
                 "young ones": "children"}  # fmt: skip

GENERIC_PERSON_NOUNS = frozenset(
    "person people persons individual individuals someone somebody human humans figure "
    "shepherd shepherds "
    "player players skier skiers surfer surfers skateboarder skateboarders snowboarder rider "
    "riders biker bikers cyclist cyclists worker workers chef chefs cook cooks doctor doctors "
    "nurse nurses teacher teachers student students tourist tourists officer officers soldier "
    "soldiers farmer farmers vendor vendors customer customers passenger passengers pedestrian "
    "pedestrians athlete athletes runner runners jogger joggers hiker hikers swimmer swimmers "
    "dancer dancers singer singers musician musicians artist artists model models "
    "photographer driver drivers pilot pilots traveler travelers traveller shopper shoppers "
    "spectator spectators fan fans friend friends couple couples guest guests visitor "
    "visitors employee employees colleague colleagues baker butcher seller clerk cashier "
    "server servers bartender umpire referee golfer golfers scientist engineer mechanic "
    "carpenter painter writer reader neighbor neighbour stranger strangers resident "
    "residents citizen citizens patient patients surgeon dentist lawyer judge priest monk nun "
    "parent parents spouse spouses sibling siblings partner partners relative relatives "
    "grandparent grandparents grandchild grandchildren newlywed newlyweds monarch royal host "
    "actor actors hero businessperson firefighter chairperson salesperson spokesperson "
    "fisher artisan pupil pupils boxer climber climbers performer performers "
    "volunteer volunteers".split()
) | frozenset(w for word in data.person_nouns() for w in (word, _pluralize(word)))
# Nouns for a group of people: adjectives before them describe people ("an elderly couple").
GROUP_HEADS = frozenset(
    "couple couples family families group groups crowd crowds team teams crew crews pair "
    "pairs trio duo twins triplets people class".split()
)
PERSON_HEADS = frozenset(
    GENERIC_PERSON_NOUNS | GROUP_HEADS | set(GENDER_NOUNS) | set(AGE_NOUNS) | set(GENDER_AGE_NOUNS)
)
# Plural age nouns, which may follow a copula without an article ("they are teenagers"); not
# kin ("are the boys brothers?" keeps its question as "are the people siblings?").
PLURAL_PERSON_NOUNS = frozenset(
    w for w in set(AGE_NOUNS) | set(GENDER_AGE_NOUNS) if w.endswith("s") or w == "children"
)

# Prenominal adjectives that describe a person (removed before a person head).
_ADJ = {
    "gender": "male female feminine masculine manly womanly girly boyish ladylike "
    "nonbinary non-binary",  # (heldout15)
    "age": "old older oldest elderly aged ageing aging young younger youngest youthful "
    "middle-aged teenage teenaged adolescent little baby toddler infant newborn grown "
    "grown-up adult juvenile preteen pre-teen elder wrinkled geriatric senior retired eldest "
    "wizened "  # (heldout10)
    "young-looking youthful-looking twentysomething thirtysomething fortysomething "
    "fiftysomething sixtysomething",  # (round 10)
    "race": "white black brown caucasian hispanic latino latina latinx asian african "
    "african-american afro-american indigenous aboriginal arab biracial multiracial "
    "mixed-race ethnic interracial multiethnic multi-ethnic",
    "hair_color": "blonde blond brunette redheaded ginger auburn platinum-blonde grizzled",
    "eye_color": "",
    "build": "fat obese overweight underweight thin skinny slim slender chubby plump stout "
    "heavyset heavy-set heavy muscular athletic burly stocky lean petite lanky scrawny bony "
    "tall short big large curvy fit toned well-built broad-shouldered pot-bellied "
    "potbellied pudgy beefy hefty portly rotund brawny buff wiry svelte gaunt frail "
    "full-figured plus-size bulky chunky rounded taller shorter thinner fatter heavier "
    "slimmer skinnier chubbier plumper bigger willowy statuesque thickset spindly ripped "
    "husky gangly broad sturdy trim tiny small slight "
    "tubby paunchy lithe hulking strapping towering squat "  # (heldout4)
    "huge enormous massive gigantic "  # (round 6)
    "muscled corpulent rangy "  # (heldout5; corpulent, rangy: heldout8)
    "emaciated rawboned shapely sinewy skeletal muscle-bound full-bosomed "  # (heldout10)
    # round 10 (heldout11's misses, and the same kind of word beside them): body-shape
    # adjectives and nouns used as adjectives ("a beanpole figure"), boxing weight classes
    "leggy doughy voluptuous buxom curvaceous roly-poly beanpole zaftig "
    "gangling reedy scraggy hunky welterweight middleweight featherweight bantamweight "
    "flyweight "
    "muscly matronly thick-set bearlike dainty "  # (heldout14)
    # wasting (heldout15; not "stooped", "hunched", "compact": earlier parts leave them)
    "cachectic shrunken "
    "gawky soft-bodied jacked",  # (heldout17, labelled so in heldout12 and heldout13 too)
}
PERSON_ADJECTIVES: dict[str, str] = {
    word: attribute for attribute, words in _ADJ.items() for word in words.split()
}
PERSON_ADJECTIVES.update(
    dict.fromkeys(
        ["middle eastern", "east asian", "south asian", "southeast asian", "central asian",
         "pacific islander", "native american", "african american", "mixed race"],
        "race",
    )
)  # fmt: skip
# Race words from the reference lists, used only when capitalised ("a Polish baker", not
# "polish"): demonyms and names of peoples are proper adjectives in English.
_NATIVE_NAMES = {t.split(" ", 1)[1] for t in data.race_terms() if t.startswith("Native ")}
CASED_RACE = frozenset(
    t.lower()
    for t in data.race_terms() | _NATIVE_NAMES
    if t.count(" ") < 3 and t.lower() not in PERSON_ADJECTIVES  # "Torres Strait Islander"
)
PERSON_ADJECTIVES.update(dict.fromkeys(CASED_RACE, "race"))
# An adverb with "built" states a build ("heavily built", "slightly built"): merged tokens.
PERSON_ADJECTIVES.update(
    {f"{adverb} {past}": "build" for adverb in "heavily slightly powerfully solidly strongly "
     "lightly well stockily sturdily".split() for past in ("built", "muscled")}
)  # fmt: skip
PERSON_ADJECTIVES.update(dict.fromkeys(data.skin_words_alone(), "race"))
# Hair colour words that describe a person alone: "a towheaded boy", "a redheaded girl".
PERSON_ADJECTIVES.update(
    dict.fromkeys((w for w in data.colours("hair_colours.tsv") if w.endswith("headed")),
                  "hair_color")
)  # fmt: skip
# Graded forms of the build adjectives ("one is stockier", "the burliest of them"; round 8):
# the same attribute where the form is no listed word of its own.
GRADED_BUILD = frozenset(
    form
    for word, attribute in PERSON_ADJECTIVES.items()
    if attribute == "build" and gradable(word)
    for form in graded(word)
    if form not in PERSON_ADJECTIVES
)
RACE_WORDS = frozenset(w for w, a in PERSON_ADJECTIVES.items() if a == "race")
# Multi-word expressions merged into one token before matching.
MULTIWORD = {tuple(w.split()) for w in PERSON_ADJECTIVES if " " in w} | {
    ("senior", "citizen"), ("senior", "citizens"), ("skin", "tone"), ("salt", "and", "pepper"),
    ("little", "ones"), ("young", "ones"),
    ("buzz", "cut"), ("crew", "cut"), ("pixie", "cut"),  # haircuts (round 8)
    ("jet", "black"), ("eye", "color"), ("eye", "colour"), ("hair", "color"),
    ("hair", "colour"), ("he", "or", "she"), ("she", "or", "he"), ("his", "or", "her"),
    ("him", "or", "her"), ("himself", "or", "herself"), ("he", "/", "she"),
    ("his", "/", "her"), ("him", "/", "her"), ("s", "/", "he"),
    ("ethnic", "group"), ("ethnic", "origin"), ("ethnic", "background"),  # labels (round 20)
}  # fmt: skip
AGE_NOUNS["senior citizens"] = "people"
# Comparatives and superlatives that stand for a person ("the youngest has", "the taller of
# the two"); senses.superlative_person says where.
SUPERLATIVES = {
    **dict.fromkeys("youngest oldest eldest older younger elder".split(), "age"),
    **dict.fromkeys("tallest shortest taller shorter".split(), "build"),
    # ranked by size among people named before ("the smallest one, with bunches"; round 19)
    **dict.fromkeys("smallest heaviest skinniest thinnest chubbiest".split(), "build"),
}
SIZE_RANKS = frozenset("smallest heaviest skinniest thinnest chubbiest".split())
# Adjectives that also stand alone as a noun for a person ("a blonde", "the elderly").
NOUN_USE = {
    "blonde": "person", "blond": "person", "brunette": "person", "redhead": "person",
    "blondes": "people", "brunettes": "people", "redheads": "people", "elderly": "people",
    "young": "people", "male": "person", "female": "person", "caucasian": "person",
    "hispanic": "person", "latino": "person", "latina": "person", "asian": "person",
    "caucasians": "people", "hispanics": "people", "latinos": "people", "latinas": "people",
    "asians": "people", "ginger": "person", "teenage": "person", "males": "people",
    "females": "people", **dict.fromkeys(SUPERLATIVES, "person"),
}  # fmt: skip
NOUN_USE_ATTRIBUTE = {
    "males": "gender", "females": "gender", "redhead": "hair_color", "redheads": "hair_color",
    "ginger": "hair_color", "blondes": "hair_color", "brunettes": "hair_color",
    "caucasians": "race", "hispanics": "race", "latinos": "race", "latinas": "race",
    "asians": "race", "teenage": "age", **SUPERLATIVES,
}  # fmt: skip
# Nouns naming a person by nationality ("a tall Dane"); used only when capitalised.
DEMONYM_NOUNS = {
    "dane": "person", "danes": "people", "swede": "person", "swedes": "people",
    "finn": "person", "finns": "people", "pole": "person", "poles": "people",
    "filipina": "person", "filipinas": "people", "filipino": "person", "filipinos": "people",
    "scot": "person", "scots": "people", "brit": "person", "brits": "people",
    "briton": "person", "britons": "people", "turk": "person", "turks": "people",
    "spaniard": "person", "spaniards": "people", "kurd": "person", "kurds": "people",
}  # fmt: skip
# "Frenchman", "Englishwomen": race and gender at once; "a Pacific Islander" (heldout8).
DEMONYM_NOUNS.update(
    {race + end: "people" if end.endswith("en") else "person"
     for race in CASED_RACE if race.isalpha() for end in ("man", "men", "woman", "women")}
    | {race + end: "people" if end else "person" for race, a in PERSON_ADJECTIVES.items()
       if a == "race" and race.endswith("islander") for end in ("", "s")}
)  # fmt: skip
NOUN_USE.update(DEMONYM_NOUNS)
NOUN_USE_ATTRIBUTE.update(dict.fromkeys(DEMONYM_NOUNS, "race"))

# Feature heads: body features whose colour or size is the attribute.
FEATURE_HEADS: dict[str, str] = {
    **dict.fromkeys("eyes eye irises iris".split(), "eye_color"),
    **dict.fromkeys(
        "hair beard beards moustache mustache eyebrows brows curls locks ponytail "
        "braids braid bangs goatee goatees sideburns stubble pigtails plaits dreadlocks afro "
        "mohawk fringe temples roots highlights streaks lashes eyelashes cornrows fuzz "
        "waves "
        # haircuts and hair words of round 8 (heldout9's misses, in general form)
        "bob bobs whiskers ringlets mane tresses locs mullet quiff updo buzz-cut "
        # hair worn up or tinted (round 12, heldout13's misses: "her black bun")
        "bun buns topknot man-bun twists tips hairline dye "
        # haircuts and hair worn or added (round 18, heldout20's misses: "a bleached undercut")
        "mop wisps comb-over combover dreads undercut crop perm tache wig extensions".split()
        + ["buzz cut", "crew cut", "pixie cut"],
        "hair_color",
    ),  # fmt: skip
    **dict.fromkeys(["skin", "complexion", "skin tone"], "race"),
    **dict.fromkeys(["eye color", "eye colour"], "eye_color"),
    **dict.fromkeys(["hair color", "hair colour"], "hair_color"),
    **dict.fromkeys(
        "build physique frame figure body belly stomach waist arms legs "
        "shoulders chest height stature face cheeks hips".split(),
        "build",
    ),  # fmt: skip
}
_COLORS = "blue green brown hazel grey gray amber dark light black violet pale"
FEATURE_ADJECTIVES: dict[str, frozenset[str]] = {
    "eye_color": frozenset(_COLORS.split()) | data.colours("eye_colours.tsv"),
    "hair_color": frozenset(
        (
            _COLORS + " blonde blond red ginger auburn white silver silvery golden sandy platinum "
            "strawberry jet-black salt-and-pepper graying greying grizzled brunette chestnut "
            "copper fair raven pink purple orange bleached peroxide honey caramel mousy ash "
            "ashen dirty snowy snow-white coal-black"
        ).split()
    )
    | {"salt and pepper", "jet black"}  # merged multi-word tokens
    | data.colours("hair_colours.tsv"),
    "race": frozenset(
        "dark light fair pale olive brown tan tanned black white ebony porcelain medium deep "
        "golden bronze caramel dusky".split()
    )
    | data.colours("skin_tones.tsv"),
    "build": frozenset(
        {w for w, a in PERSON_ADJECTIVES.items() if a == "build"}
        | set("average medium small slight sturdy strong broad wide thick round full".split())
    ),
}
# Compound adjectives: "blue-eyed", "red-haired", "dark-skinned", "well-built".
COMPOUND_SUFFIXES = {
    "eyed": "eye_color", "haired": "hair_color", "skinned": "race", "bearded": "hair_color",
    "headed": "hair_color", "complexioned": "race",  # "tow-headed", "dark-complexioned"
    # "grey-whiskered", "lilac-dyed", "lavender-rinsed" (heldout10): with a hair colour first
    "whiskered": "hair_color", "moustached": "hair_color", "dyed": "hair_color",
    "rinsed": "hair_color",
}  # fmt: skip
BUILD_COMPOUNDS = frozenset({"well-built", "heavy-set", "broad-shouldered", "big-boned"})
# Body parts in compounds whose first word is a size ("broad-chested", "chubby-cheeked"):
# the compound describes build.
BODY_PART_SUFFIXES = frozenset(
    "chested shouldered bellied boned framed hipped waisted limbed legged cheeked "
    "necked bodied chinned kneed".split()
)
# "stoop-shouldered", "double-chinned", "knock-kneed" (heldout14; not "bow-legged", a
# cowboy's gait that heldout10 left unmarked)
BODY_SIZE_PREFIXES = frozenset(
    "barrel pot big thick narrow round full long short stoop hollow double knock".split()
)
# Gendered pronouns: word -> (neutral form; "her"/"his" are decided in context).
PRONOUNS = {
    "he": "they", "she": "they", "him": "them", "himself": "themselves",
    "herself": "themselves", "hers": "theirs", "he's": "they're", "she's": "they're",
    "he'll": "they'll", "she'll": "they'll", "he'd": "they'd", "she'd": "they'd",
    "he or she": "they", "she or he": "they", "he / she": "they", "s / he": "they",
    "his or her": "their", "his / her": "their", "him or her": "them", "him / her": "them",
    "himself or herself": "themselves",
}  # fmt: skip
SUBJECT_PRONOUNS = frozenset({"he", "she", "he or she", "she or he", "he / she", "s / he"})
TITLES = {"mr": "Mx", "mrs": "Mx", "ms": "Mx", "miss": "Mx", "mr.": "Mx.", "mrs.": "Mx."}
