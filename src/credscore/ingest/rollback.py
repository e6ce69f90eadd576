"""Undoing what a failed archive appended to a profile, cheaply."""

from __future__ import annotations

from dataclasses import dataclass

from credscore.profile import Account, Profile


@dataclass(frozen=True)
class ProfileMark:
    """Where the profile stood before an archive: parsers only append to its lists and fill in its accounts,
    so list lengths and copies of the (few) accounts are enough to undo a failed archive. A deep copy of a
    profile with a big export in it would cost seconds and double its memory for every later archive."""

    lengths: dict[str, int]
    accounts: list[Account]


def mark_profile(profile: Profile) -> ProfileMark:
    lists = {name: len(value) for name, value in profile if isinstance(value, list)}
    return ProfileMark(lists, [account.model_copy() for account in profile.accounts])


def restore_profile(profile: Profile, mark: ProfileMark) -> None:
    for name, length in mark.lengths.items():
        del getattr(profile, name)[length:]
    profile.accounts = mark.accounts
