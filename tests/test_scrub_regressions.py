"""Regression cases of issue 18: the issue's own examples and the misses and wrong changes
read on the tuned corpus parts (tuning, heldout, heldout2, heldout3; later rounds: heldout4 to
heldout10, each after its blind score). Each expected output is
exact, so a rule that stops firing, or fires on a hard negative, fails here."""

from __future__ import annotations

import pytest

from mmpriv_data.transforms.scrub import BIOMETRIC_REFUSAL, scrub
from mmpriv_data.transforms.scrub.evaluation import grammar_problems

ISSUE_EXAMPLES = [
    ("A Thai grandfather smiles.", "A grandparent smiles."),
    ("An Ethiopian runner stretches.", "A runner stretches."),
    ("A Korean-born chef cooks.", "A chef cooks."),
    ("An elderly Irish couple walks.", "A couple walks."),
    ("A tall blonde in a red hat waves.", "A person in a red hat waves."),
    ("A freckled, smiling redhead laughs.", "A freckled, smiling person laughs."),
    ("A man with deep brown eyes waves.", "A person waves."),
    ("A lanky, tanned student reads.", "A student reads."),
    ("Are the two women overweight?", "Are the two people?"),
    ("She seems to be about 50.", BIOMETRIC_REFUSAL),
    ("A girl guide sells cookies.", "A guide sells cookies."),
    ("An adult female stands.", "A person stands."),
    ("The black queen takes a pawn.", "The black queen takes a pawn."),
    ("The king of clubs is on the table.", "The king of clubs is on the table."),
    ("The queen ant lays eggs.", "The queen ant lays eggs."),
    ("She hands sweets to her family.", "They hand sweets to their family."),
]

FIXES = [
    # chess, cards and insects: "board", "pieces", "hive's" mark a game or a colony
    ("The white queen and the black king face each other across the board.",
     "The white queen and the black king face each other across the board."),
    ("The white pieces are set up, with the queen on d1.",
     "The white pieces are set up, with the queen on d1."),
    ("The hive's queen is marked with a yellow dot.",
     "The hive's queen is marked with a yellow dot."),
    # a title before a name, at the start of a sentence too
    ("Queen Victoria's statue stands in front of the palace.",
     "Queen Victoria's statue stands in front of the palace."),
    # "its" refers to the baby, so the mother is a person; an animal's mother stays
    ("A tiny newborn is sleeping on its mother's chest.",
     "A person is sleeping on its parent's chest."),
    ("A baby elephant is walking beside its mother.",
     "A baby elephant is walking beside its mother."),
    ("A foal is standing next to its mother.", "A foal is standing next to its mother."),
    # the offspring sense of "baby" after a possessive still says young: child
    ("She feeds her baby and sings to him.", "They feed their child and sing to them."),
    ("The little ones are napping on mats.", "The people are napping on mats."),
    # demonyms of peoples named "Native X"; size adjectives; body-part compounds
    ("A broad-chested Hawaiian man paddles a canoe.", "A person paddles a canoe."),
    ("A man in a Hawaiian shirt waves.", "A person in a Hawaiian shirt waves."),
    ("A sturdy Mongolian herder milks a yak.", "A herder milks a yak."),
    ("A trim Thai boxer kicks a bag.", "A boxer kicks a bag."),
    ("A tiny elderly Korean woman sweeps the steps.", "A person sweeps the steps."),
    ("A chubby-cheeked infant reaches for a duck.", "A person reaches for a duck."),
    ("A willowy redhead in a green dress is posing.", "A person in a green dress is posing."),
    ("A full-bodied red wine is in the glass.", "A full-bodied red wine is in the glass."),
    ("A tiny kitten sleeps in a small box.", "A tiny kitten sleeps in a small box."),
    ("A small group of tourists waits.", "A small group of tourists waits."),
    # predicates whose item is a noun phrase
    ("The person is a tall redhead.", BIOMETRIC_REFUSAL),
    ("She appears young, maybe a teenager.", BIOMETRIC_REFUSAL),
    ("The man is a tall man.", BIOMETRIC_REFUSAL),
    ("She is a nurse.", "They are a nurse."),
    ("She has a round face and a full figure.", BIOMETRIC_REFUSAL),
    # non-person senses
    ("The Slovak shepherd is playing a flute.", "The shepherd is playing a flute."),
    ("The German shepherd is guarding the gate.", "The German shepherd is guarding the gate."),
    ("The tall lighthouse guards the harbor.", "The tall lighthouse guards the harbor."),
    ("A male duck swims with the female.", "A male duck swims with the female."),
    ("The female is taller than the male.", "The person is taller than the person."),
    ("The boy has a black eye from a fall.", "The person has a black eye from a fall."),
    ("The adult swim sign is by the pool.", "The adult swim sign is by the pool."),
    ("Girl Scout cookies are on the table.", "Girl Scout cookies are on the table."),
    ("The old man cactus is covered in white hairs.",
     "The old man cactus is covered in white hairs."),
]  # fmt: skip


# Third round: classes of misses read on heldout4 (after its blind score), in new wording.
ROUND_THREE = [
    ("The men are middle-aged and a bit overweight.", BIOMETRIC_REFUSAL),  # degree words
    ("The runner is lean and very tall.", BIOMETRIC_REFUSAL),  # intensifier after "and"
    ("The woman is probably Thai or Lao.", BIOMETRIC_REFUSAL),  # a hedge before the item
    ("They look about thirty-five.", BIOMETRIC_REFUSAL),  # no gendered trigger; hyphen number
    ("They seem somewhere around sixty.", BIOMETRIC_REFUSAL),
    ("The girl looks no older than three.", BIOMETRIC_REFUSAL),
    ("The puppy's owner looks about a year older.", "The puppy's owner looks about a year older."),
    ("The kids are teenagers, probably fourteen.", BIOMETRIC_REFUSAL),  # bare plural age noun
    ("Are the boys brothers?", "Are the people siblings?"),  # kin is not an age predicate
    ("They are heavily built.", BIOMETRIC_REFUSAL),  # adverb + "built"
    ("A solidly built man waves.", "A person waves."),
    ("A girl of about nine is feeding a goat.", "A person is feeding a goat."),  # of + age
    ("A woman of 40 smiles.", "A person smiles."),
    ("A family of five is eating.", "A family of five is eating."),  # a group's size
    ("Is her hair red or auburn?", "Is their hair?"),  # questions about a feature's colour
    ("Are the boy's eyes gray?", "Are the person's eyes?"),
    ("The man has bluish eyes.", BIOMETRIC_REFUSAL),  # "-ish" colours
    ("A honey-blond child sits.", "A person sits."),  # all-colour compounds
    ("A man with graying temples signs a form.", "A person signs a form."),
    ("He has brown hair that is going gray.", BIOMETRIC_REFUSAL),
    ("Her hair is dyed green.", BIOMETRIC_REFUSAL),
    ("A paunchy accountant is eating lunch.", "An accountant is eating lunch."),
    ("A burly welder is at work.", "A welder is at work."),  # build word before agent noun
    ("A small cooler is on the sand.", "A small cooler is on the sand."),  # size of a thing
    ("A teenage Filipino is singing.", "A person is singing."),  # demonym used as a noun
    ("A Great Dane sleeps on the rug.", "A Great Dane sleeps on the rug."),
    ("The ferry to the Isle of Man leaves.", "The ferry to the Isle of Man leaves."),
    ("Two people talk; one is South Asian and the other is Korean.", "Two people talk;"),
    ("One is red and the other is blue.", "One is red and the other is blue."),
]  # fmt: skip


# Fourth round: classes of misses read on heldout5 (after its blind score), in new wording.
ROUND_FOUR = [
    ("A wiry nine-year-old is kicking a ball.", "A person is kicking a ball."),
    ("The six-year-olds are singing.", "The people are singing."),
    ("A 200-year-old barn stands in the field.", "A 200-year-old barn stands in the field."),
    ("A man about 45 is rowing.", "A person is rowing."),
    ("A woman about to sit down smiles.", "A person about to sit down smiles."),
    ("The swimmer is powerfully muscled.", BIOMETRIC_REFUSAL),
    ("Is the woman in her twenties or thirties?", "Is the person?"),
    ("The woman reads a map and is petite.", "The person reads a map."),
    ("The Man in the Iron Mask is on the shelf.", "The Man in the Iron Mask is on the shelf."),
    ("A mother hen guards the chicks.", "A mother hen guards the chicks."),
]


# Sixth round: classes of misses and wrong changes read on heldout7 (after its blind score),
# in new wording; each line stands for a rule, not for a corpus text.
ROUND_SIX = [
    # colour phrases: shades, survey names, compounds ending in a colour, "-ish" parts
    ("A man with warm brown eyes smiles.", "A person smiles."),
    ("She has cornflower blue eyes.", BIOMETRIC_REFUSAL),
    ("A boy with cinnamon hair runs.", "A person runs."),
    ("His beard is coal-black.", BIOMETRIC_REFUSAL),
    ("The girl has bluish-green eyes.", BIOMETRIC_REFUSAL),
    ("A woman with gray-streaked hair reads.", "A person reads."),
    ("What is the strawberry blond singer holding?", "What is the singer holding?"),
    ("A towheaded girl is swinging.", "A person is swinging."),
    # colours after an article, a comma or a participle; owners behind a postmodifier
    ("Her eyes are a pale blue.", BIOMETRIC_REFUSAL),
    ("The baby has dark eyes, probably brown.", BIOMETRIC_REFUSAL),
    ("A woman with hair dyed bright pink is skating.", "A person is skating."),
    ("The man in the blue coat has light green eyes.", BIOMETRIC_REFUSAL),
    ("She looks to have honey-brown hair.", BIOMETRIC_REFUSAL),
    ("The man has one green eye and one gray eye.", BIOMETRIC_REFUSAL),
    ("The eldest has curly red hair.", "The person has curly hair."),
    ("Does the toddler have red hair?", BIOMETRIC_REFUSAL),
    # adjective lists before a feature keep their other adjectives and grammar
    ("The woman has long, dark hair.", "The person has long hair."),
    ("A man with short, gray hair and a dog waves.", "A person with short hair and a dog waves."),
    ("Her hair is jet black and falls past her shoulders.",
     "Their hair falls past their shoulders."),
    ("A slim girl with hazel eyes and auburn hair paints.", "A person paints."),
    # predicates: share, number and degree words; -ish ages; body-shape compounds
    ("They seem part Samoan.", BIOMETRIC_REFUSAL),
    ("They are all stocky.", BIOMETRIC_REFUSAL),
    ("The soldier is barely twenty.", BIOMETRIC_REFUSAL),
    ("The woman is forty-ish.", BIOMETRIC_REFUSAL),
    ("The man looks apple-shaped.", BIOMETRIC_REFUSAL),
    ("The man could be Korean.", BIOMETRIC_REFUSAL),
    ("Is the teen boy tall?", "Is the person?"),
    ("Is the boy mixed race?", "Is the person?"),
    # before a person noun; age appositions; comparatives standing for a person
    ("A girl aged about nine is reading.", "A person is reading."),
    ("A stick-thin runner is stretching.", "A runner is stretching."),
    ("A Sámi woman is sewing.", "A person is sewing."),
    ("A sunburnt tourist is napping.", "A tourist is napping."),
    ("A Frenchwoman is buying bread.", "A person is buying bread."),
    ("A person of color is reading.", "A person is reading."),
    ("Two boys, probably around ten years old, are fishing.", "Two people are fishing."),
    ("The shorter of the two men is laughing.", "One of the two people is laughing."),
    # hard negatives next to the new rules
    ("The widow spider is in its web.", "The widow spider is in its web."),
    ("Kings Road is closed.", "Kings Road is closed."),
    ("The oldest building is a church.", "The oldest building is a church."),
    ("A round-faced owl is perched.", "A round-faced owl is perched."),
    ("A cat with cinnamon fur sleeps.", "A cat with cinnamon fur sleeps."),
    ("The dog's eyes are a warm brown.", "The dog's eyes are a warm brown."),
    ("The rail-thin poles hold the fence.", "The rail-thin poles hold the fence."),
]  # fmt: skip


ROUND_SEVEN = [  # heldout8's classes (round 7), in new wording; all fail on a5eb0fb
    ('The nurse pushing the wheelchair is short and plump.',
     BIOMETRIC_REFUSAL),
    ('The waiter carrying the tray is lanky and wears an apron.',
     'The server carrying the tray wears an apron.'),
    ("She's petite and carries a violin case.",
     'They carry a violin case.'),
    ("He's burly and bald.",
     "They're bald."),
    ('The uncle, portly and jovial, carves the turkey.',
     'The relative, jovial, carves the turkey.'),
    ('Three friends, one lanky and one stocky, play cards on the porch.',
     'Three friends play cards on the porch.'),
    ('Two aunts, both silver-haired, sip tea on the balcony.',
     'Two relatives sip tea on the balcony.'),
    ('The nephews both have copper hair and hazel eyes.',
     BIOMETRIC_REFUSAL),
    ('The girls look alike; both have jet-black hair.',
     'The people look alike;'),
    ('Four boys wait in line; the shortest one holds a kite.',
     'Four people wait in line; the one holds a kite.'),
    ('The girl is the youngest in her ballet class.',
     BIOMETRIC_REFUSAL),
    ('The chef slicing onions has milky grey eyes.',
     BIOMETRIC_REFUSAL),
    ('A Sinhalese fisherman mends a net.',
     'A fisher mends a net.'),
    ('The spectators are mostly Punjabi and Sinhalese.',
     BIOMETRIC_REFUSAL),
    ('An antique grandfather clock chimes in the study.',
     'An antique grandfather clock chimes in the study.'),
    ('A queen conch lies beside a starfish.',
     'A queen conch lies beside a starfish.'),
    ('A barmaid wipes the counter.',
     'A bartender wipes the counter.'),
    ('The man driving the bus has dusky skin.',
     BIOMETRIC_REFUSAL),
    ('A sailor whose grey eyes squint reads a map.',
     'A sailor whose eyes squint reads a map.'),
    ('There are two hikers: a man and a woman whose hair is auburn.',
     'There are two hikers: a person and a person.'),
    ('A potter is at the wheel; her eyes, a deep brown, follow the clay.',
     'A potter is at the wheel; their eyes follow the clay.'),
    ('The queen in the tapestry is corpulent, with pale eyes and a red braid.',
     BIOMETRIC_REFUSAL),
    ('How many women at the table have grey hair?',
     'How many people at the table have hair?'),
    ('A girl with green eyes feeds a goat with yellow eyes.',
     'A person feeds a goat with yellow eyes.'),
    ('Is the boy in the white hoodie Filipino or Thai?',
     'Is the person in the white hoodie?'),
    ('Yes, the girl is Vietnamese; she is holding a paper lantern.',
     'Yes, they are holding a paper lantern.'),
    ('The twins, both ginger, share a sandwich.',
     'The twins share a sandwich.'),
]  # fmt: skip


# Round 8 (heldout9's miss classes, after its blind score), in new wording: each failed on the
# round-7 rules (8ca2f7d) except the kept texts (lamps, lemons, a gold frame), which guard the new
# rules' limits.
ROUND_EIGHT = [
    # the age or build word of 'the X one' after people named before (not of lamps)
    ('Two brothers fish off the pier; the younger one holds the bait bucket.',
     'Two siblings fish off the pier; the one holds the bait bucket.'),
    ('Three nieces pose by the fountain. The burly one on the left is laughing.',
     'Three relatives pose by the fountain. The one on the left is laughing.'),
    ('Of the two lamps, the older one flickers.',
     'Of the two lamps, the older one flickers.'),
    # 'One has ...; the other has ...': one of the people named before owns the feature
    ('Two cousins wait at the bus stop. One has copper hair; the other has grey eyes.',
     'Two cousins wait at the bus stop.'),
    # an estimated number set off by commas after people is an age (not a count of lemons)
    ('The grandsons, around four and seven, splash in the pool.',
     'The grandchildren splash in the pool.'),
    ('Two girls play chess. The elder one, perhaps eleven, moves a rook.',
     'Two people play chess. The one moves a rook.'),
    ('The students are at the museum, all about fifteen.',
     'The students are at the museum.'),
    ('The grocer counted the lemons, about ten, and left.',
     'The grocer counted the lemons, about ten, and left.'),
    ('A boy of perhaps nine flies a kite.',
     'A person flies a kite.'),
    # graded build words: 'chunkier', 'wirier', 'the tallest of them', 'is the shortest'
    ('The twins look alike, but one is chunkier.',
     BIOMETRIC_REFUSAL),
    ('The runner is wirier than her coach.',
     BIOMETRIC_REFUSAL),
    ('The men stand in a row. The tallest of them holds a banner.',
     'The people stand in a row. One of them holds a banner.'),
    ('He is the shortest.',
     BIOMETRIC_REFUSAL),
    # a noun of style between colour and head; haircut heads; adjectives of a build
    ('A baker with a grey walrus moustache kneads dough.',
     'A baker with a walrus moustache kneads dough.'),
    ('The violinist has a short brown bob.',
     'The violinist has a short bob.'),
    ('A dancer with a powerful build leaps across the stage.',
     'A dancer leaps across the stage.'),
    ('The waiter has a heavyset, compact frame.',
     BIOMETRIC_REFUSAL),
    ('The portrait hangs in a gold frame.',
     'The portrait hangs in a gold frame.'),
    # kin prefixes, and gendered nouns added from heldout9's misses (in other sentences)
    ('A great-grandfather reads to a toddler.',
     'A grandparent reads to a person.'),
    ('The fellow by the door is portly.',
     BIOMETRIC_REFUSAL),
    ('The matron at the nursery desk is stout.',
     BIOMETRIC_REFUSAL),
    ('A ballerino stretches at the barre.',
     'A ballet dancer stretches at the barre.'),
]  # fmt: skip


# Round 9 (heldout10's miss classes, after its blind score), in new wording: each failed on the
# round-8 scrubber (3a07999) except the kept texts, which guard the new words' limits.
ROUND_NINE = [
    # build and age words of heldout10's misses, in other sentences
    ('An emaciated porter rests on a crate.',
     'A porter rests on a crate.'),
    ('A shapely singer waves from the stage.',
     'A singer waves from the stage.'),
    ('The shepherd, sinewy and weathered, leads the flock.',
     'The shepherd, weathered, leads the flock.'),
    ('A wizened vendor sells figs.',
     'A vendor sells figs.'),
    ('A full-bosomed opera singer bows.',
     'An opera singer bows.'),
    ('The skeletal remains of a boat lie on the sand.',
     'The skeletal remains of a boat lie on the sand.'),
    # hair colours in compounds: '-whiskered', '-dyed', '-rinsed'; colours of dyed hair
    ('A grey-whiskered sailor smokes a pipe.',
     'A sailor smokes a pipe.'),
    ('The student with lilac-dyed hair reads.',
     'The student reads.'),
    ('A person with lavender-rinsed curls knits.',
     'A person with curls knits.'),
    ('A red-dyed scarf hangs on the hook.',
     'A red-dyed scarf hangs on the hook.'),
    ('The mint leaves float in the tea.',
     'The mint leaves float in the tea.'),
    # age nouns: preemie, 'thirty-somethings'
    ('A nurse weighs the preemie on a small scale.',
     'A nurse weighs the person on a small scale.'),
    ('Two thirty-somethings share a taxi.',
     'Two people share a taxi.'),
    # gendered nouns: in-laws, salaryman, newsboy
    ('My father-in-law carves the roast.',
     'My parent-in-law carves the roast.'),
    ('Her sisters-in-law are laughing.',
     'Their siblings-in-law are laughing.'),
    ('A salaryman checks his watch.',
     'An office worker checks their watch.'),
    ('Two newsboys shout the headlines.',
     'Two newspaper sellers shout the headlines.'),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "expected"),
    ISSUE_EXAMPLES
    + FIXES
    + ROUND_THREE
    + ROUND_FOUR
    + ROUND_SIX
    + ROUND_SEVEN
    + ROUND_EIGHT
    + ROUND_NINE,
    ids=lambda v: v[:50],
)
def test_regression(text: str, expected: str):
    result = scrub(text)
    assert result.text == expected
    assert grammar_problems(result.text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("She passes him her notebook.", "They pass them their notebook."),
        (
            "He zips his coat and then helps her with hers.",
            "They zip their coat and then help them with theirs.",
        ),
        ("She hangs her scarf on her chair.", "They hang their scarf on their chair."),
    ],  # fmt: skip
)
def test_possessive_her_and_his_become_their(text: str, expected: str):
    assert scrub(text).text == expected


def test_with_goes_with_the_change_after_it():
    """ "with hazel eyes and auburn hair": "with" is logged with the eye-colour change it
    starts, not as a change of its own (heldout7 counted it as an unrelated word)."""
    changes = scrub("A slim girl with hazel eyes and auburn hair paints.").changes
    with_change = next(c for c in changes if c["original"].lstrip().startswith("with"))
    assert "hazel" in with_change["original"] and with_change["attribute"] == "eye_color"
