"""Per-platform account counts merged across the parts of one export."""

from __future__ import annotations

from credscore.profile import Account, Platform, Profile


def merge_account(profile: Profile, platform: Platform, src: int, **counts: int | None) -> Account:
    """Fill the platform's account (creating it once): a part's known value never erases another part's.
    Counts that occur in several parts (reactions in numbered files) are added by the caller before."""
    known = {k: v for k, v in counts.items() if v is not None}
    account = next((a for a in profile.accounts if a.platform == platform), None)
    if account is None:
        account = Account(platform=platform, src=src, **known)
        profile.accounts.append(account)
        return account
    for key, value in known.items():
        if getattr(account, key) is None:
            setattr(account, key, value)
    return account
