"""The word pools a synthetic applicant is drawn from (posts, groups, pages, people, skills), and the draws
every platform's writer shares. Names are made up; a few groups and pages are profane on purpose."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping
from typing import Any

POSITIVE = (
    "Had a wonderful day with the family at the lake, feeling grateful!",
    "Congratulations to my sister on her graduation, so proud of her.",
    "Great news: I finally finished the marathon. Thank you all for the support!",
    "Loving the new café in town, the coffee is excellent.",
    "Happy to share that I started a new job today. Excited for this journey!",
    "Beautiful sunset tonight, life is good.",
    "Thanks everyone for the lovely birthday wishes ❤️",
)
NEGATIVE = (
    "Worst service ever, I am so angry and disappointed.",
    "Terrible traffic again, this city is a disaster.",
    "Feeling sad and tired, what an awful week.",
    "I hate when people cancel at the last minute. So annoying.",
    "The delayed flight ruined our holiday, horrible experience.",
)
NEUTRAL = (
    "Moving to a new apartment next month.",
    "Does anyone know a good plumber near the station?",
    "Reading a book about the history of trains.",
)
GROUPS = (
    "Neighbourhood Book Club",
    "Weekend Hikers Pune",
    "São Paulo Runners",
    "Home Bakers United",
    "Python Developers India",
    "Photography Beginners",
    "Parents of Toddlers",
    "Used Bikes Market",
    "Gardening Tips & Tricks",
    "Classic Movies Forum",
)
PROFANE_GROUPS = ("Shitposting Central", "Fuck Mondays Club")
PAGES = (
    "City Library",
    "Café Aroma",
    "National Geographic",
    "Local Football Club",
    "Healthy Recipes",
    "Tech News Daily",
    "Mountain Rescue Team",
    "Jazz Nights",
    "Electric Cars Fans",
    "Street Food Lovers",
    "Museum of Art",
    "Yoga Every Day",
)
PROFANE_PAGES = ("Damn Good Memes", "Bullshit Detector")
FIRST = ("Asha", "Ravi", "Meera", "João", "Ana", "Liam", "Zoë", "Kenji", "Fatima", "Omar", "Priya", "Lukas")
LAST = ("Rao", "Sharma", "Iyer", "Silva", "Müller", "Kim", "Okafor", "Novak", "García", "Singh")
SKILLS = (
    "Python",
    "SQL",
    "Project Management",
    "Data Analysis",
    "Public Speaking",
    "Leadership",
    "Machine Learning",
    "Excel",
    "Negotiation",
    "Customer Service",
    "Java",
    "Accounting",
    "Marketing",
    "Team Building",
    "Cloud Computing",
    "Technical Writing",
    "Sales",
    "Budgeting",
    "Design",
    "Research",
)
SCHOOLS = ("University of Pune", "IIT Bombay", "St. Xavier's College", "Universidade de São Paulo")
COMPANIES = ("Acme Corp", "Globex", "Initech", "Umbrella Health", "Stark Industries")


NEGATIVE_SHARE = 0.25  # a text's chance of being negative unless the export's `negative_share` knob says


def checked_negative_share(knobs: Mapping[str, Any]) -> float:
    """The knobs' tone, refused outside what the pools allow (0.15 of texts are neutral)."""
    negative_share = float(knobs.get("negative_share", NEGATIVE_SHARE))
    if not 0.0 <= negative_share <= 0.85:
        raise ValueError(f"negative_share {negative_share:g} is outside 0..0.85 (0.15 of texts are neutral)")
    return negative_share


def text(rng: random.Random, knobs: Mapping[str, Any] | None = None) -> str:
    """One post, comment or tweet: negative with the knobs' `negative_share` (a person's tone: 0.25 unless
    given), neutral with 0.15, positive otherwise."""
    # make_export checked the knob once before any text was drawn
    negative_share = float((knobs or {}).get("negative_share", NEGATIVE_SHARE))
    roll = rng.random()
    pool = NEGATIVE if roll < negative_share else NEUTRAL if roll < negative_share + 0.15 else POSITIVE
    return rng.choice(pool)


def names(rng: random.Random, count: int, benign: tuple[str, ...], profane: tuple[str, ...]) -> list[str]:
    """Mostly benign names, about one in six profane (at least one when count ≥ 4), unique."""
    n_profane = min(len(profane), max(1 if count >= 4 else 0, count // 6))
    chosen = list(profane[:n_profane])
    pool = list(benign)
    rng.shuffle(pool)
    for i in range(count - n_profane):
        chosen.append(pool[i] if i < len(pool) else f"{pool[i % len(pool)]} {i // len(pool) + 1}")
    rng.shuffle(chosen)
    return chosen


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def timestamp(rng: random.Random, start_year: int = 2012, end_year: int = 2024) -> int:
    """A Unix time between the start of `start_year` and the end of `end_year` (UTC)."""
    start = int(dt.datetime(start_year, 1, 1, tzinfo=dt.UTC).timestamp())
    end = int(dt.datetime(end_year, 12, 31, tzinfo=dt.UTC).timestamp())
    return rng.randrange(start, end)
