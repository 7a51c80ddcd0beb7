"""Token rules of the scrubber. `Scrubber(text, attributes).run()` marks tokens replaced or
deleted and returns the changes; `rewrite.scrub` is the public entry point.

>>> [c["replacement"] for c in Scrubber("She waves.", {"gender"}).run()]
['They', 'wave']
"""

from __future__ import annotations

from mmpriv_data.transforms.scrub import chat, contextual, frames, phrase_clauses, tagger, traits
from mmpriv_data.transforms.scrub import grammar as g
from mmpriv_data.transforms.scrub import lexicon as lx
from mmpriv_data.transforms.scrub import lexicon_data as data
from mmpriv_data.transforms.scrub.agents import AGENT_SUFFIXES, guessed_head
from mmpriv_data.transforms.scrub.ages import APPROXIMATE, NUMBER_WORDS, TENS_AND_UNITS
from mmpriv_data.transforms.scrub.animal_kin import KIN, beside_animal
from mmpriv_data.transforms.scrub.census import stated_ages
from mmpriv_data.transforms.scrub.colours import NAMES, SHADES, shade
from mmpriv_data.transforms.scrub.context_words import ANIMALS
from mmpriv_data.transforms.scrub.enumerations import listed_traits
from mmpriv_data.transforms.scrub.figures import FigureRules
from mmpriv_data.transforms.scrub.lexicon import MODIFIED, ORIGIN  # context word lists
from mmpriv_data.transforms.scrub.products import goods_after
from mmpriv_data.transforms.scrub.questions import alternatives, asked
from mmpriv_data.transforms.scrub.tokens import flagged

_DIGITS = "0123456789"  # one C-level search per digit: cheaper than a regex (speed)
_COORDINATORS = frozenset({"and", "or", "but", ","})
_AGREE_STOPS = _COORDINATORS | {"who", "which", "that", "while", "when", "because", "whose"}
_INVERT_AUX = frozenset({"is", "was", "does", "has", "isn't", "wasn't", "doesn't", "hasn't"})
_HAVE_NEXT = frozenset({"been", "got", "gotten", "had", "done", "seen", "taken", "made"})
_TITLES = frozenset({"mr", "mrs", "ms", "miss"})
_CONTRACTED = frozenset({"he's", "she's"})
_RANKS_BY = frozenset(w for w in lx.SUPERLATIVES if w.endswith("st"))  # "tallest", "oldest"
_NUMBER_WORDS = NUMBER_WORDS | APPROXIMATE  # the tokens that send a word to `number`
_ROUGHLY = ("-odd", "-plus")  # "of sixty-odd" (round 13): `number` reads them after "of"
_NUMBER_WORDS |= TENS_AND_UNITS  # "forty-eight" (round 12)
_DO = frozenset({"does", "do", "did", "doesn't", "don't", "didn't"})
_QUESTION_START = _DO | {"is", "are", "was", "were", "isn't", "aren't", "wasn't", "weren't"}
_CANDIDATES = (
    set(lx.PRONOUNS) | {"her", "his", "in"} | g.COPULAS | _DO | _TITLES | _NUMBER_WORDS
    | set(lx.PERSON_ADJECTIVES) | set(lx.NOUN_USE) | set(lx.FEATURE_HEADS) | lx.PERSON_HEADS
    | lx.BUILD_COMPOUNDS | frames.STARTS
)  # fmt: skip
_FRAME_STARTS = frames.STARTS  # "describe", "call", "built" (round 12)
_CANDIDATE_CACHE: dict[str, bool] = {}
_VALUED_FEATURES = frozenset({"hair", "eyes", "complexion", "skin"})  # "hair black," (round 13)
# Unions of word lists that the loops below test one after another (speed).
_PRONOUN_WORDS = frozenset(lx.PRONOUNS) | {"her", "his"}
_MODIFIER_WORDS = g.SEPARATORS | g.GENERAL_ADJECTIVES | g.INTENSIFIERS


_COLOURS = lx.FEATURE_ADJECTIVES["hair_color"] | lx.FEATURE_ADJECTIVES["race"]
_RANKS = frozenset({"senior", "junior", "elder"})
_RANKED_NOUNS = data.person_nouns()  # "senior manager": ranks go with these
_SIZED_GROUPS = lx.GROUP_HEADS - {"people"}
# Adjectives after an age noun that make it the subject, not a modifier ("the infant asleep").
_PREDICATIVE = frozenset("asleep awake alone alive afraid aware alert ready ill".split())
_APPOSED = frozenset({",", "and"})  # before "a lanky Canadian" (round 14)
_GUIDE_MEMBERS = frozenset({"girl", "boy"})
_GUIDES = frozenset({"guide", "guides", "scout", "scouts"})
_POINTED = frozenset({"that", "those", "this", "these"})
_SIZES = frozenset({"large", "big", "small", "huge", "tiny", "sizable", "massive"})
_PARTICIPLE = ("ed", "ing")
# Words that may shade a hair or eye colour word after them ("platinum blond"): a set lookup
# before the call (speed).
_SHADE_WORDS = (
    SHADES | NAMES | lx.FEATURE_ADJECTIVES["hair_color"] | lx.FEATURE_ADJECTIVES["eye_color"]
)


def _candidate(word: str) -> bool:
    """Listed words, and words with hyphens, apostrophes or digits."""
    if word.endswith("ish") and word.isalnum():  # "fortyish", "30ish" (round 13)
        return lx.age_compound(word) or word in _CANDIDATES
    return word in _CANDIDATES or not word.isalpha() and (len(word) > 1 or word.isdigit())


class Scrubber(FigureRules):
    """The rules: each marks tokens of the view replaced or deleted."""

    contextual = False  # True: the opt-in MiniLM tagger's hints too (scrub(tagger="minilm"))

    # --- main loop ---------------------------------------------------------------------------
    def run(self) -> list[dict]:
        self.mark()
        return self.changes()

    def mark(self) -> None:
        done, framed = 0, False
        lows, bios, is_word, gender = self.low, self.bios, self.is_word, "gender" in self.on
        commas = "," in self.text  # appositions ("the groom, stout and cheerful,") need one
        indices = flagged(lows, _candidate, _CANDIDATE_CACHE)
        guessed = tagger.hints(self)
        extra = contextual.hints(self) if self.contextual else None  # what round 8's left
        if extra:
            guessed |= extra
        if guessed:  # the tagger's words join the listed ones, in text order
            indices = list(indices)
            guessed.difference_update(indices)  # words a rule reads anyway keep their rule
            indices = sorted(guessed.union(indices))
        for i in indices:
            if i < done:
                continue
            if guessed and i in guessed:
                if i not in self.dele and i not in self.repl:
                    self.modifiers(i)  # never skips the words after it: they are read on
                done = i + 1
                continue
            low, step = lows[i], i + 1
            if low in _PRONOUN_WORDS:
                if gender:
                    self.pronoun(i)  # "He's tall": its predicate too
                elif low in _CONTRACTED:
                    self.predicate(i, True)
            elif low in g.COPULAS or low in _DO or low in g.CONTRACTED_COPULAS:
                if low in _QUESTION_START and asked(self, i):  # "Is she", ", and are they"
                    self.inverted_predicate(i)
                    if self.lw(i + 1) in _POINTED:  # "Is that auburn on the singer?"
                        frames.shown_on(self, i)
                elif low not in _DO:  # "she is tall"; "they're tall": the token is the subject
                    self.predicate(i, low in g.CONTRACTED_COPULAS)
            elif low == "in":
                self.decade_phrase(i)
            elif low in _TITLES and gender:
                self.title(i)
            elif low in _NUMBER_WORDS or low.isdigit() or low.endswith(_ROUGHLY):
                if i > 0:  # no other rule reads numbers ("forty-eight": round 12)
                    self.number(i)
            else:
                consumed = False
                if bios[i] or low in lx.NOUN_USE:
                    if (low in _RANKS_BY or self.lw(i - 1) == "the") and self.superlative_rank(i):
                        step, consumed = i + 1, True  # "the tallest one", "the older one"
                    else:
                        step, consumed = self.modifiers(i)
                if not consumed and is_word[i]:
                    word = low  # "woman's" -> "woman" ("'" first: most words have none)
                    if "'" in low and low.endswith("'s") and low not in lx.PRONOUNS:
                        word = low[:-2]
                    if word in lx.FEATURE_HEADS:
                        self.feature(i)
                        if i + 1 < self.n and low in _VALUED_FEATURES:
                            traits.value_after(self, i)  # "hair black, eyes brown" (round 13)
                    elif word in lx.PERSON_HEADS:
                        self.noun(i)
                        if i + 1 < self.n and bios[i + 1]:
                            traits.after_head(self, i)  # "the woman petite," (round 13)
                        if commas and (c := self.apposed_comma(i)) is not None:
                            self.apposition(c - 1)  # "the groom, stout", "a diver in fins, wiry"
                    elif word in _FRAME_STARTS:
                        framed = True  # read after the loop

            done = step if step > i + 1 else i + 1
        if extra:
            contextual.leftovers(self, extra)  # colours before a head that no rule removed
        chat.bare_race(self)  # "half Thai", "I think Egyptian" (round 11)
        if framed:  # "I'd describe the baby as plump", "built like a tank" (round 12)
            frames.judged(self)
            frames.simile(self)
        if commas and self.text.count(",") >= 2:  # "Elra, female, slender, violet eyes"
            self.list_records()  # (round 12)
        listed_traits(self, commas)  # "one Black and tall, one Asian", "a man in a hat, wiry,"
        alternatives(self)  # "how old were they, sixty or sixty-five?" (round 14)
        if (  # heights, weights and ages in figures, records (round 10)
            self.figure_words or ":" in self.text  # "six foot", "thirties", "M,"; "Eyes: GRN"
            or "ale," in self.text  # "Male, 40s", "Female, Asian, slim"
            or any(map(self.text.__contains__, _DIGITS))  # "5'9", "180cm", "23F", "mid-40s"
        ):  # fmt: skip
            self.figures()
            stated_ages(self)  # "a man, born 1971,", "DOB: 12/04/1990" (round 20)
        if self.phrase_clauses:  # "is a tall woman in a gold gown" (round 17)
            phrase_clauses.settle(self)
        if self.answer_kept and all(
            k in self.dele for k in range(2, self.n) if self.is_word[k]
        ):  # "No, she is not tall; she is short.": no bare "No" is left
            self.delete(0, self.n, next(iter(self.dele.values())))

    # --- rules -------------------------------------------------------------------------------
    def pronoun(self, i: int) -> None:
        low, tok = self.low[i], self.tok[i]
        if low == "her":
            nxt = self.tok[i + 1] if i + 1 < self.n else None
            after = self.tok[i + 2] if i + 2 < self.n else None
            new = g.her_form(nxt, after)
        elif low == "his":
            new = g.his_form(self.tok[i + 1] if i + 1 < self.n else None)
        elif low in _CONTRACTED:
            new = "they've" if self.lw(i + 1) in _HAVE_NEXT else "they're"
            self.replace(i, g.match_case(tok, new), "gender")
            self.predicate(i, True)  # "He's tall and heavyset"
            return
        else:
            new = lx.PRONOUNS[low]
        self.replace(i, g.match_case(tok, new), "gender")
        if low in lx.SUBJECT_PRONOUNS:
            self.agree(i)

    def agree(self, i: int) -> None:
        """Verbs agree with 'they': "is she" -> "are they", "she walks and talks" -> ..."""
        if self.lw(i - 1) in _INVERT_AUX:
            self.replace(i - 1, g.plural_verb(self.tok[i - 1]), "gender")
        j = i + 1
        while j < self.n and (self.low[j] in g.ADVERBS or self.low[j].endswith("ly")):
            j += 1
        if j >= self.n or (verb := g.plural_verb(self.tok[j])) is None:
            return
        self.replace(j, verb, "gender")
        k, stop, lows = j + 1, min(self.n, j + 30), self.low
        while k < stop and lows[k] not in g.SENTENCE_END:
            low = lows[k]
            if low not in _AGREE_STOPS:  # most words: one set lookup (speed)
                k += 1
                continue
            if low in _COORDINATORS:
                m = k + 1
                while m < self.n and self.low[m] in g.ADVERBS:
                    m += 1
                if m < self.n and g.is_coordinated_verb(self.tok[m]):
                    self.replace(m, g.plural_verb(self.tok[m]), "gender")
                    k = m + 1
                    continue
                nxt = self.lw(m)
                if low != "," and (nxt in g.DETERMINERS or nxt in g.PERSON_PRONOUNS):
                    return
            else:  # a clause of its own starts: "who", "while", "because" ...
                return
            k += 1

    def title(self, i: int) -> None:
        j = i + 2 if self.lw(i + 1) == "." else i + 1
        if self.tok[i][:1].isupper() and self.word(j) and self.tok[j][:1].isupper():
            self.replace(i, "Mx", "gender")

    def noun(self, i: int) -> None:
        word, suffix = self.base(i)
        nxt = self.lw(i + 1)
        if nxt == "from" and "race" in self.on:
            self.origin_phrase(i)  # "a man from India" (round 10)
        if self.proper(i) or nxt in MODIFIED or (word in ("cowboy", "cowgirl") and nxt in
                                                  lx.COWBOY_MODIFIED):  # fmt: skip
            return
        if word in _RANKS and nxt in _RANKED_NOUNS:
            return  # "a senior manager"
        if nxt in ANIMALS and not suffix and word in lx.AGE_NOUNS:
            return  # "both senior dogs": an animal's age (round 15)
        if i and self.low[i - 1] == "its" and not self.person_before(i - 1):
            return  # an animal's kin ("a foal beside its mother")
        if word in lx.ROYALS and self.game_piece(i) or word in KIN and beside_animal(self.low, i):
            return  # a chess piece or a playing card; an animal's kin ("a mother koala"; round 17)
        if (suffix or nxt == "'") and (
            nxt == "'" and self.lw(i + 2) in MODIFIED or goods_after(self.low, i, suffix)
        ):
            return  # a room ("the boys' restroom"), goods ("women's running shoes"; round 17)
        if word in _GUIDE_MEMBERS and nxt in _GUIDES:  # "a girl guide sells": a guide
            after = self.lw(i + 2)
            if "gender" in self.on and (
                not self.word(i + 2) or after in g.FUNCTION_WORDS or g.is_coordinated_verb(after)
            ):
                self.delete(i, i + 1, "gender")
            return  # "Girl Scout cookies", "the Boy Scout troop": a name
        if nxt == "of" and "race" in self.on:
            if self.lw(i + 2) in ("color", "colour"):
                self.delete(i + 1, i + 3, "race")  # "a person of color"
            elif self.lw(i + 2) == "mixed" and self.lw(i + 3) in ORIGIN | {"race"}:
                self.delete(i + 1, i + 4, "race")  # "a woman of mixed heritage"
        gender, age, new, attribute = "gender" in self.on, "age" in self.on, None, "gender"
        if word in lx.GENDER_AGE_NOUNS and (gender or age):
            both, gender_only, age_only = lx.GENDER_AGE_NOUNS[word]
            new = both if gender and age else gender_only if gender else age_only
            attribute = "gender" if gender else "age"
        elif word in lx.GENDER_NOUNS and gender:
            new = lx.GENDER_NOUNS[word]
        elif word in lx.AGE_NOUNS and age:
            kinship = self.lw(i - 1) in g.POSSESSIVES or self.lw(i - 1).endswith("'s")
            if not suffix and i + 1 < self.n and self.heads[i + 1] and self.person_head(i + 1):
                self.delete(i, i + 1, "age")  # "the teen girl": an age before a person noun
                return
            if word in lx.KINSHIP_AGE_NOUNS and kinship:
                if word in lx.KINSHIP_YOUNG:  # "her baby" -> "their child"
                    self.replace(i, g.match_case(self.tok[i], lx.KINSHIP_YOUNG[word]), "age")
                return
            if (
                nxt in g.COMMON_VERBS
                and self.low[self.sentence_start(i)] not in _DO  # "Does the toddler have ..."
                and self.word(i + 2)
                and not word.endswith("s")
                and (self.lw(i + 2) not in g.FUNCTION_WORDS)
            ):
                return  # a singular noun before a bare verb form modifies: "adult swim sign"
            verb_after = nxt.endswith("s") and (
                not self.word(i + 2) or self.lw(i + 2) in g.FUNCTION_WORDS
            )  # "a teenager skateboards."
            if not suffix and self.word(i + 1) and nxt not in g.FUNCTION_WORDS and (
                nxt not in g.COPULAS and
                not nxt.endswith(("ing", "ed")) and not g.is_coordinated_verb(nxt)
                and nxt not in _PREDICATIVE and not self.bios[i + 1]
                and nxt not in g.COMMON_VERBS and nxt not in lx.PERSON_HEADS and not verb_after
            ):  # fmt: skip
                return  # a modifier: "adult supervision", "teen magazine"
            new, attribute = lx.AGE_NOUNS[word], "age"
        if new:
            stem = self.tok[i][: len(self.tok[i]) - len(suffix)]
            self.replace(i, g.match_case(stem, new) + suffix, attribute)

    def modifiers(self, i: int) -> tuple[int, bool]:
        """Adjectives before a person noun ("an older woman"); returns (next index, done)."""
        if self.low[i] == "aged" and (end := self.aged_number(i)) is not None:
            return end, True
        if i > 1 and self.low[i - 2] in _APPOSED and (end := traits.demonym_phrase(self, i)):
            return end, True  # "the coach is wiry, an Australian,", "a burly Sicilian"
        j, n, lows, bios, heads = i, self.n, self.low, self.bios, self.heads
        k = i + 1  # the common case, one adjective before a thing ("white shirt"): done early
        if (
            k < n
            and not heads[k]
            and not bios[k]
            and lows[k] not in lx.NOUN_USE  # "a willowy redhead"
            and (
                lows[i] not in lx.NOUN_USE
                and ("-" not in lows[i] or not self.age_noun(i))
                or not self.noun_use(i)
            )
        ):
            nxt = lows[k]
            if not (
                nxt in _MODIFIER_WORDS or nxt.endswith(_PARTICIPLE) or nxt in ORIGIN
                or nxt.endswith(AGENT_SUFFIXES)
                or k + 1 < n and (heads[k + 1] or lows[k + 1].endswith(AGENT_SUFFIXES))
            ):  # fmt: skip
                return k, False
        while j < n and (
            lows[j] in _MODIFIER_WORDS or bios[j]
            or j > i and (lows[j].endswith(_PARTICIPLE) or "-" in lows[j]) and self.loose(j)
        ):  # fmt: skip
            if j > i and heads[j] and self.person_head(j) and not self.person_head(j + 1):
                break  # "a chubby baby": the baby is the person
            j += 1
        if self.lw(j) in ORIGIN and self.lw(i - 1) == "of" and self.person_head(i - 2):
            if self.bio(i) in self.on:  # "a man of Asian descent"
                self.delete(i - 1, j + 1, self.bio(i))
            return j + 1, True
        head = j < n and heads[j] and self.person_head(j)
        if not head and i < j < n - 1 and self.is_word[j]:  # (list lookups first: speed)
            if lows[j].endswith(AGENT_SUFFIXES) and guessed_head(self, i, j):
                head = True
            elif lows[j] not in g.FUNCTION_WORDS and self.is_word[j + 1] and (
                heads[j + 1] and self.person_head(j + 1) and not self.verb_not_noun(j + 1)
                or lows[j + 1].endswith(AGENT_SUFFIXES) and guessed_head(self, i, j + 1)
            ) and not any(lows[k] in _COLOURS for k in range(i, j)):  # fmt: skip
                j, head = j + 1, True  # a noun before the person noun: "a Samoan rugby player"
        if head and j + 1 < n and lows[j + 1] in MODIFIED:
            return j + 1, True  # "an old man cactus"
        if head and self.low[j - 1] not in g.SEPARATORS:
            s = i
            while s > 0 and (self.low[s - 1] in (",", "and", "or")
                             or self.low[s - 1] in g.GENERAL_ADJECTIVES
                             or self.low[s - 1] in g.INTENSIFIERS):  # fmt: skip
                s -= 1
            while s < i and self.low[s] in g.SEPARATORS:
                s += 1
            items = [(k, k + 1, bios[k]) for k in range(s, j)]
            while s > 0 and lows[s - 1] in _SHADE_WORDS and shade(lows[s - 1], bios[s]):
                s -= 1  # "a platinum blond singer": the shade goes with its colour
                items.insert(0, (s, s + 1, bios[s + 1]))
            if lows[j] in _RANKED_NOUNS or lows[j] in _SIZED_GROUPS:
                # "a senior manager": a rank, not an age; "a large group": its size, not build
                items = [(a, b, None if lows[a] in _RANKS or lows[a] in _SIZES else attribute)
                         for a, b, attribute in items]  # fmt: skip
            self.drop_items(items)
            if s > 0 and lows[s - 1] == "," and all(k in self.dele for k in range(s, j)):
                self.delete(s - 1, s, self.dele[s])  # "a broad, heavy-set man": the comma too
            return j, False
        if (
            j < n and lows[j] in lx.NOUN_USE and self.noun_use(j)  # "a tall, blond Dane"
            and (lows[j] not in lx.DEMONYM_NOUNS or self.tok[j][:1].isupper())  # "thin poles"
        ):  # fmt: skip
            self.drop_items([(k, k + 1, bios[k]) for k in range(i, j)])
            self.noun_use_replace(j)
            return j + 1, True
        t = j - 1  # "a tall blonde in a hat", "an adult female and ...": the last word is a noun
        while t > i and lows[t] in g.SEPARATORS:
            t -= 1
        if (
            t > i
            and (lows[t] in lx.NOUN_USE or "-" in lows[t] and self.age_noun(t))
            and (self.noun_use(t))
        ):
            self.drop_items([(k, k + 1, bios[k]) for k in range(i, t)])
            self.noun_use_replace(t)
            return t + 1, True
        low = self.low[i]
        if (
            (low in lx.NOUN_USE or "-" in low and self.age_noun(i))
            and j <= i + 1
            and (self.noun_use(i))
        ):
            self.noun_use_replace(i)
            return i + 1, True
        return max(j, i + 1) if not self.word(j) or j == i else j, False

    def loose(self, j: int) -> bool:
        """A participle or compound adjective inside a chain before a person noun ("a lean,
        *sunburned* hiker", "a freckled, smiling redhead", "a short, round-faced woman")."""
        low = self.low[j]
        return (
            low.replace("-", "").isalpha() and low not in g.FUNCTION_WORDS
            and any(self.person_head(k) or self.lw(k) in lx.NOUN_USE for k in range(j + 1, j + 3))
        )  # fmt: skip
