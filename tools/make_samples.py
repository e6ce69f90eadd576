"""Regenerate the bundled sample exports in samples/ (deterministic: same seeds, same files)."""

from __future__ import annotations

from pathlib import Path

from credscore.synth import make_export

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

# One applicant, four platforms, realistic but small enough to keep in the repository.
SAMPLE_EXPORTS: dict[str, tuple[str | None, dict[str, int]]] = {
    "facebook": (
        "B",
        {
            "posts": 120,
            "comments": 80,
            "friends": 640,
            "friend_requests": 45,
            "groups": 12,
            "pages": 25,
            "photos": 12,
            "reactions": 900,
            "birth_year": 1990,
            "registration_year": 2011,
        },
    ),
    "linkedin": (None, {"connections": 510, "skills": 18, "invitations": 60}),
    "x": (None, {"tweets": 300, "followers": 850, "following": 300, "likes": 400, "created_year": 2013}),
    "instagram": (
        None,
        {"posts": 60, "comments": 40, "followers": 700, "following": 420, "photos": 8, "liked": 500},
    ),
}


def main() -> None:
    SAMPLES.mkdir(exist_ok=True)
    for seed, (platform, (layout, knobs)) in enumerate(SAMPLE_EXPORTS.items(), start=101):
        path = SAMPLES / f"{platform}.zip"
        make_export(platform, path, seed=seed, layout=layout, **knobs)
        print(f"{path.relative_to(SAMPLES.parent)}: {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
