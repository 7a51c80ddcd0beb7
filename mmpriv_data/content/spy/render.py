"""Synthetic images of private content whose every drawn value is known.

Each renderer draws one kind of document (ID card, passport, receipt, chat screenshot, ...)
for an mmpriv person and returns a `Document`: the image plus, for every SPY/VISPR category
it shows, the exact string drawn and its pixel bbox. Text uses Pillow's bundled font
(`ImageFont.load_default(size=...)`, ASCII only: values are ASCII-folded before drawing).
Renderers are pure functions of (person, rng): the caller passes a keyed stream.

Numbers that identities.py does not provide (passport, licence, student and booking numbers,
plates, codes) are random strings of fictitious issuers, and every card is marked SPECIMEN.

>>> from mmpriv_data.content.identities import make_person
>>> from mmpriv_data.core.seeding import stream
>>> doc = render("credit_card", make_person(0, 1), stream(0, "doc"))
>>> doc.field("a30_credit_card").value.replace(" ", "") == make_person(0, 1)["card_number"]
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from mmpriv_data.content import portraits
from mmpriv_data.content.identities import ascii_fold
from mmpriv_data.core.seeding import stream

INK = (20, 22, 28)
MUTED = (90, 94, 104)
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"  # no I/O/Q: they read as digits
PLACES = (
    "Blue Door Cafe", "Platform 4", "North Gate Park", "Old Library Steps", "Pier 7",
    "Corner Bakery", "Harbour Bike Shed", "Red Kiosk",
)  # fmt: skip
MERCHANTS = ("CORNER GROCER", "CITY PHARMACY", "BOOK NOOK", "GREEN MARKET", "CAFE LUMEN")
AIRPORTS = ("AMS", "BER", "CDG", "DUB", "LIS", "MAD", "OSL", "VIE", "WAW", "ZRH")


@dataclass(frozen=True)
class DrawnField:
    category: str
    value: str
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 in image pixels


@dataclass
class Document:
    kind: str
    image: Image.Image
    fields: list[DrawnField] = field(default_factory=list)
    facts: dict = field(default_factory=dict)  # values not drawn as text (portrait traits)

    def field(self, category: str) -> DrawnField:
        for drawn in self.fields:
            if drawn.category == category:
                return drawn
        raise KeyError(f"{self.kind} shows no {category}")

    @property
    def categories(self) -> list[str]:
        return [drawn.category for drawn in self.fields]


@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


class _Sheet:
    """A blank document that records the bbox of every value it draws."""

    def __init__(self, kind: str, size: tuple[int, int], paper=(250, 250, 246)):
        self.doc = Document(kind, Image.new("RGB", size, paper))
        self.draw = ImageDraw.Draw(self.doc.image)

    def text(self, xy, text: str, size: int = 18, fill=INK, category: str | None = None):
        text = ascii_fold(text)
        self.draw.text(xy, text, font=font(size), fill=fill)
        box = tuple(int(v) for v in self.draw.textbbox(xy, text, font=font(size)))
        if category:
            self.doc.fields.append(DrawnField(category, text, box))
        return box

    def labelled(self, x: int, y: int, label: str, value: str, category: str | None = None):
        """A small grey caption above a value, as on printed cards."""
        self.text((x, y), label.upper(), size=11, fill=MUTED)
        return self.text((x, y + 14), value, size=18, category=category)

    def band(self, color, height: int, title: str):
        width = self.doc.image.width
        self.draw.rectangle((0, 0, width, height), fill=color)
        self.text((14, height // 2 - 10), title, size=20, fill=(255, 255, 255))

    def specimen(self):
        """A faint SPECIMEN mark: these documents must never pass for real ones."""
        width, height = self.doc.image.size
        self.text((width - 110, height - 22), "SPECIMEN", size=14, fill=(200, 60, 60))

    def photo(self, person: dict, box: tuple[int, int, int]):
        x, y, side = box
        self.doc.image.paste(portraits.render_portrait(person_traits(person), size=side), (x, y))


def person_traits(person: dict) -> dict:
    """The person's look, the same on every document: keyed by who they are, not by the call."""
    rng = stream(0, "spy", "traits", person["person_id"], person["name"], person["birth_date"])
    traits = portraits.sample_traits(rng, age=person["age"], gender=person["gender"])
    # Keep every asked trait visible: no hat over the hair, no glasses over the eyes.
    traits.update(hat="none", glasses=False)
    if traits["hair_style"] == "bald":
        traits["hair_style"] = "short"
    return traits


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, size=n))


def _letters(rng: np.random.Generator, n: int) -> str:
    return "".join(LETTERS[i] for i in rng.integers(0, len(LETTERS), size=n))


def _stamp(rng: np.random.Generator) -> str:
    month, day, hour, minute = (int(v) for v in rng.integers((1, 1, 6, 0), (13, 29, 22, 60)))
    return f"2025-{month:02d}-{day:02d} {hour:02d}:{minute:02d}"


def _date(iso: str) -> str:
    return iso  # ISO 8601 as drawn: unambiguous for the leak detector's date reader


def id_card(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("id_card", (520, 320), paper=(232, 240, 248))
    sheet.band((38, 84, 150), 44, "NATIONAL IDENTITY CARD")
    sheet.photo(person, (16, 60, 128))
    sheet.labelled(160, 56, "Surname", person["last_name"], "a21_name_last")
    sheet.labelled(160, 96, "Given names", person["first_name"], "a20_name_first")
    sheet.labelled(160, 136, "Date of birth", _date(person["birth_date"]), "a24_birth_date")
    sheet.labelled(
        160, 176, "Place of birth", person["birth_place"].split(",")[0], "a23_birth_city"
    )
    sheet.labelled(16, 220, "Identity number", person["national_id"], "a29_ausweis")
    sheet.labelled(16, 260, "Full name", person["name"], "a19_name_full")
    sheet.labelled(330, 220, "Nationality", person["nationality"], "a25_nationality")
    sheet.specimen()
    return sheet.doc


def passport(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("passport", (520, 320), paper=(238, 232, 246))
    sheet.band((96, 36, 96), 44, "PASSPORT")
    sheet.photo(person, (16, 60, 128))
    number = _letters(rng, 2) + _digits(rng, 7)
    sheet.labelled(160, 56, "Passport No.", number, "a31_passport")
    sheet.labelled(160, 96, "Name", person["name"], "a19_name_full")
    sheet.labelled(160, 136, "Nationality", person["nationality"], "a25_nationality")
    sheet.labelled(160, 176, "Date of birth", _date(person["birth_date"]), "a24_birth_date")
    sheet.text((16, 262), f"P<{ascii_fold(person['last_name']).upper()}<<{number}", size=16)
    sheet.specimen()
    return sheet.doc


def drivers_license(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("drivers_license", (520, 320), paper=(240, 246, 232))
    sheet.band((40, 120, 70), 44, "DRIVING LICENCE")
    sheet.photo(person, (16, 60, 128))
    number = f"{_letters(rng, 1)}{_digits(rng, 3)}-{_digits(rng, 4)}-{_digits(rng, 4)}"
    sheet.labelled(160, 56, "Licence No.", number, "a32_drivers_license")
    sheet.labelled(160, 96, "Name", person["name"], "a19_name_full")
    sheet.labelled(160, 136, "Date of birth", _date(person["birth_date"]), "a24_birth_date")
    sheet.labelled(16, 220, "Address", person["address"], "a78_address_home_complete")
    sheet.specimen()
    return sheet.doc


def student_id(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("student_id", (520, 320), paper=(250, 244, 226))
    sheet.band((190, 110, 20), 44, "STUDENT CARD")
    sheet.photo(person, (16, 60, 128))
    sheet.labelled(160, 56, "Student No.", f"S{_digits(rng, 8)}", "a33_student_id")
    sheet.labelled(160, 96, "Name", person["name"], "a19_name_full")
    sheet.labelled(160, 136, "Programme", person["education"].split(" from ")[0][:40])
    sheet.specimen()
    return sheet.doc


def credit_card(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("credit_card", (480, 300), paper=(30, 52, 96))
    white = (245, 245, 250)
    sheet.text((24, 20), "FICTIONAL BANK", size=20, fill=white)
    sheet.draw.rounded_rectangle((24, 70, 84, 114), 8, fill=(214, 180, 90))
    groups = " ".join(person["card_number"][i : i + 4] for i in range(0, 16, 4))
    sheet.text((24, 140), groups, size=30, fill=white, category="a30_credit_card")
    sheet.text((24, 196), f"VALID THRU {rng.integers(1, 13):02d}/{rng.integers(27, 32)}", 14, white)
    sheet.text((24, 232), person["name"].upper(), size=20, fill=white, category="a19_name_full")
    sheet.text((360, 268), "SPECIMEN", size=14, fill=(230, 120, 120))
    return sheet.doc


def boarding_pass(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("boarding_pass", (560, 260))
    sheet.band((20, 90, 140), 40, "BOARDING PASS")
    origin, dest = (AIRPORTS[i] for i in rng.choice(len(AIRPORTS), size=2, replace=False))
    sheet.labelled(16, 54, "Passenger", person["name"].upper(), "a19_name_full")
    sheet.labelled(16, 100, "From / To", f"{origin} -> {dest}")
    sheet.labelled(16, 146, "Booking ref", _letters(rng, 3) + _digits(rng, 3), "a38_ticket")
    stamp = _stamp(rng)
    sheet.labelled(260, 146, "Departure", stamp, "a82_date_time")
    sheet.labelled(260, 54, "Flight", f"ZZ{_digits(rng, 4)}")
    sheet.specimen()
    return sheet.doc


def receipt(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("receipt", (340, 420), paper=(252, 252, 248))
    sheet.text((20, 16), MERCHANTS[int(rng.integers(len(MERCHANTS)))], size=22)
    stamp = _stamp(rng)
    sheet.text((20, 52), stamp, size=16, category="a82_date_time")
    cents = [int(c) for c in rng.integers(150, 2500, size=3)]
    for row, price in enumerate(cents):
        sheet.text((20, 96 + 30 * row), f"ITEM {row + 1}", size=16)
        sheet.text((230, 96 + 30 * row), f"{price / 100:.2f}", size=16)
    sheet.text((20, 200), "TOTAL", size=20)
    sheet.text((200, 200), f"${sum(cents) / 100:.2f}", size=22, category="a37_receipt")
    sheet.text((20, 250), f"CARD ****{person['card_number'][-4:]}", size=14, fill=MUTED)
    return sheet.doc


def envelope(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("envelope", (540, 300), paper=(246, 238, 220))
    sheet.draw.rectangle((450, 16, 520, 96), outline=MUTED, width=2)
    sheet.text((120, 130), person["name"], size=22, category="a35_mail")
    street, _, rest = person["address"].partition(", ")
    sheet.text((120, 166), street, size=20, category="a79_address_home_partial")
    sheet.text((120, 198), rest, size=20)
    x0, y0, *_ = sheet.doc.field("a79_address_home_partial").bbox
    *_, x1, y1 = sheet.draw.textbbox((120, 198), ascii_fold(rest), font=font(20))
    box = (x0, y0, max(x1, sheet.doc.field("a79_address_home_partial").bbox[2]), y1)
    sheet.doc.fields.append(
        DrawnField("a78_address_home_complete", ascii_fold(person["address"]), box)
    )
    return sheet.doc


def moving_card(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("moving_card", (520, 260), paper=(236, 246, 240))
    sheet.text((20, 20), "WE HAVE MOVED!", size=26, fill=(30, 110, 70))
    sheet.text((20, 70), f"{person['first_name']} now lives at:", size=16, fill=MUTED)
    sheet.text((20, 100), person["address"], size=20, category="a74_address_current_complete")
    street = person["address"].split(", ")[0]
    sheet.text((20, 150), "Ring at:", size=16, fill=MUTED)
    sheet.text((100, 148), street, size=18, category="a75_address_current_partial")
    return sheet.doc


def email_screenshot(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("email", (600, 320), paper=(255, 255, 255))
    sheet.draw.rectangle((0, 0, 600, 36), fill=(232, 236, 244))
    sheet.text((12, 8), "Inbox - Mail", size=16, fill=MUTED)
    sheet.text((16, 50), "From:", size=16, fill=MUTED)
    sheet.text((70, 50), person["email"], size=16, category="a90_email")
    sheet.text((16, 78), "Subject: storage unit", size=16, fill=MUTED)
    code = f"{_digits(rng, 3)}-{_digits(rng, 3)}"
    sheet.text((16, 120), "Hi! The access code for the storage unit is", size=16)
    sheet.text((16, 146), code, size=22, category="a92_email_content")
    sheet.text((16, 190), f"Best, {person['first_name']}", size=16)
    return sheet.doc


def chat_screenshot(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("chat", (420, 360), paper=(238, 242, 236))
    sheet.text((14, 10), person["username"], size=16, fill=MUTED)
    sheet.draw.rounded_rectangle((14, 44, 300, 84), 12, fill=(255, 255, 255))
    sheet.text((24, 54), "are we still on for tonight?", size=15)
    sheet.draw.rounded_rectangle((60, 100, 410, 176), 12, fill=(210, 238, 200))
    sheet.text((70, 108), "yes! meet me at", size=15)
    place = PLACES[int(rng.integers(len(PLACES)))]
    sheet.text((70, 134), place, size=18, category="a97_online_conversation")
    return sheet.doc


def phone_note(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("phone_note", (360, 300), paper=(252, 238, 130))
    sheet.text((24, 30), f"Call {person['first_name']}!", size=24)
    sheet.text((24, 110), person["phone"], size=26, category="a49_phone")
    sheet.text((24, 200), "after 6pm", size=18, fill=MUTED)
    return sheet.doc


def profile_page(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("profile_page", (520, 300), paper=(250, 250, 252))
    sheet.band((60, 60, 70), 40, "friendsnet")
    sheet.photo(person, (20, 60, 96))
    sheet.text((136, 64), f"@{person['username']}", size=22, category="a85_username")
    sheet.text((136, 100), f"{len(person['hobbies']) * 37} followers", size=14, fill=MUTED)
    sheet.text((136, 130), "Hobbies: " + ", ".join(person["hobbies"]), size=14)
    return sheet.doc


def license_plate(person: dict, rng: np.random.Generator) -> Document:
    sheet = _Sheet("license_plate", (520, 200), paper=(150, 156, 164))
    sheet.draw.rounded_rectangle((30, 40, 490, 160), 10, fill=(250, 250, 250), outline=INK, width=4)
    sheet.draw.rectangle((34, 44, 74, 156), fill=(30, 60, 160))
    plate = f"{_letters(rng, 2)} {_digits(rng, 3)} {_letters(rng, 2)}"
    sheet.text((96, 66), plate, size=54, category="a103_license_plate_complete")
    return sheet.doc


def portrait(person: dict, rng: np.random.Generator) -> Document:
    """A face photo; appearance categories are drawn traits, not text (bbox = the face)."""
    traits = person_traits(person)
    image = portraits.render_portrait(traits, size=320)
    doc = Document("portrait", image, facts={"traits": traits})
    face = (80, 40, 240, 240)
    for category, value in (
        ("a1_age_approx", str(person["age"])),
        ("a4_gender", person["gender"].lower()),
        ("a5_eye_color", traits["eye_color"]),
        ("a6_hair_color", traits["hair_color"]),
        ("a17_color", traits["skin_tone"]),
    ):
        doc.fields.append(DrawnField(category, value, face))
    return doc


RENDERERS: dict[str, Callable[[dict, np.random.Generator], Document]] = {
    fn.__name__: fn
    for fn in (
        id_card, passport, drivers_license, student_id, credit_card, boarding_pass, receipt,
        envelope, moving_card, email_screenshot, chat_screenshot, phone_note, profile_page,
        license_plate, portrait,
    )
}  # fmt: skip


def render(kind: str, person: dict, rng: np.random.Generator) -> Document:
    """Draw document ``kind`` for ``person`` with the draws of ``rng``."""
    return RENDERERS[kind](person, rng)
