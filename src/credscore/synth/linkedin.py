"""A synthetic LinkedIn export (CSV files, one with a notes preamble, one with a BOM), beside
`credscore.ingest.linkedin` that reads it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from typing import Any

from credscore.synth.pools import COMPANIES, SCHOOLS, SKILLS, person, timestamp
from credscore.synth.zipwriter import ExportZip

_NOTES = (
    'Notes:\n"When exporting your connection data, you may notice that some of the email addresses '
    'are missing. You will only see email addresses for connections who have allowed it."\n\n'
)
_PROFILE_HEADER = [
    "First Name",
    "Last Name",
    "Maiden Name",
    "Address",
    "Birth Date",
    "Headline",
    "Summary",
    "Industry",
    "Zip Code",
    "Geo Location",
    "Twitter Handles",
    "Websites",
    "Instant Messengers",
]


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def write(z: ExportZip, rng: random.Random, layout: str | None, k: dict[str, Any]) -> None:
    """Write the export (LinkedIn has one layout); the order of the files is the order of the random draws."""
    z.add("Connections.csv", _NOTES + _csv(_connections(rng, int(k.get("connections", 250)))))
    z.add("Skills.csv", _csv([["Name"], *_skills(rng, int(k.get("skills", 10)))]))
    birth_year = k.get("birth_year", 1990)
    birth = f"Mar 14, {birth_year}" if birth_year is not None else ""
    profile = ["Asha", "Rao", "", "", birth, "Data analyst", "I like data.\nAnd people.", "Finance"]
    z.add("Profile.csv", "\ufeff" + _csv([_PROFILE_HEADER, [*profile, "", "Pune", "", "", ""]]))
    z.add("Invitations.csv", _csv(_invitations(rng, int(k.get("invitations", 15)))))
    _career(z)
    z.add("messages.csv", _csv([["CONVERSATION ID", "FROM", "TO", "CONTENT"], ["1", "A", "B", "private"]]))


def _connections(rng: random.Random, count: int) -> list[list[str]]:
    rows = [["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]]
    for i in range(count):
        when = dt.date.fromtimestamp(timestamp(rng)).strftime("%d %b %Y")
        if i % 37 == 5:  # hidden profile: only the date
            rows.append(["", "", "", "", "", "", when])
        else:
            first, last = person(rng).split(" ", 1)
            rows.append(
                [
                    first,
                    last,
                    f"https://www.linkedin.com/in/{first.lower()}-{i}",
                    "",
                    rng.choice(COMPANIES),
                    "Analyst\nTeam lead" if i % 50 == 7 else "Analyst",
                    when,
                ]
            )
    return rows


def _skills(rng: random.Random, count: int) -> list[list[str]]:
    """`count` skill names: the pool shuffled, repeated with a number once it runs out."""
    skills = list(SKILLS)
    rng.shuffle(skills)
    return [
        [s if i < len(skills) else f"{skills[i % len(skills)]} {i}"]
        for i, s in enumerate((skills * (count // len(skills) + 1))[:count])
    ]


def _invitations(rng: random.Random, count: int) -> list[list[str]]:
    rows = [["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"]]
    for i in range(count):
        incoming = i % 3 != 0
        sent = dt.datetime.fromtimestamp(timestamp(rng), dt.UTC).strftime("%-m/%-d/%y, %-I:%M %p")
        rows.append(
            [
                person(rng) if incoming else "Asha Rao",
                "Asha Rao" if incoming else person(rng),
                sent,
                "",
                "INCOMING" if incoming else "OUTGOING",
                "",
                "",
            ]
        )
    return rows


def _career(z: ExportZip) -> None:
    """Education, positions and e-mail addresses: fixed, no random draws."""
    z.add(
        "Education.csv",
        _csv(
            [
                ["School Name", "Start Date", "End Date", "Notes", "Degree Name", "Activities"],
                [SCHOOLS[0], "2008", "2012", "", "Bachelor of Engineering", ""],
                [SCHOOLS[1], "2013", "2015", "", "Master of Science", ""],
            ]
        ),
    )
    z.add(
        "Positions.csv",
        _csv(
            [
                ["Company Name", "Title", "Description", "Location", "Started On", "Finished On"],
                [COMPANIES[1], "Data Analyst", "", "Pune", "Jan 2021", ""],
                [COMPANIES[2], "Intern", 'Worked on, "things"', "Mumbai", "Jun 2015", "Dec 2020"],
            ]
        ),
    )
    z.add(
        "Email Addresses.csv",
        _csv(
            [
                ["Email Address", "Confirmed", "Primary", "Updated On"],
                ["asha.rao@example.com", "Yes", "Yes", "Not Available"],
            ]
        ),
    )
