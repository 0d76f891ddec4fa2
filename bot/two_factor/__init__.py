"""Agents' second factor: TOTP codes, their sealed secrets and key, the trust policy, and the
private chat where agents enroll (/2fa) and confirm codes (/codigo)."""
