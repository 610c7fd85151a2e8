"""HMAC keys with ids, for digests that must outlive a key change (the 查询码: only its digest is stored, and
codes already given out must keep working after the key is rotated).

`XINFANG_QUERY_CODE_KEYS="k2:secret2,k1:secret1"`: the first key is current and signs new digests, stored as
`k2$<hex>`; the others only verify what they signed before. A digest without an id (written before key ids
existed, or while no keys are configured) is checked with the key named `legacy` if the ring has one, else
with SECRET_KEY. A digest whose id is not in the ring fails: a retired key is removed from the list on purpose.
docs/deploy.md, "Rotating the 查询码 key"."""

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings

KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MIN_SECRET_LENGTH = 32
LEGACY_ID = "legacy"


@dataclass(frozen=True)
class KeyRing:
    keys: tuple[tuple[str, bytes], ...]  # (id, secret), current first; empty: the legacy key signs

    @classmethod
    def parse(cls, spec: str) -> "KeyRing":
        """`id:secret,id:secret` → KeyRing; ValueError (in Chinese, no secret in it) on a malformed entry."""
        keys, seen = [], set()
        items = [part.strip() for part in spec.split(",") if part.strip()]
        for n, item in enumerate(items, start=1):
            kid, sep, secret = item.partition(":")
            if not sep or not KEY_ID.match(kid) or not secret:
                raise ValueError(
                    f"第{n}个密钥格式应为“编号:密钥”，编号由字母、数字、-、_ 组成（至多32个字符）。"
                )
            if kid in seen:
                raise ValueError(f"密钥编号“{kid}”重复。")
            seen.add(kid)
            keys.append((kid, secret.encode()))
        return cls(tuple(keys))

    def legacy_secret(self) -> bytes:
        return dict(self.keys).get(LEGACY_ID) or settings.SECRET_KEY.encode()

    def sign(self, message: str) -> str:
        """The digest under the current key, prefixed with its id (unprefixed when no keys are configured)."""
        if not self.keys:
            return _hex(self.legacy_secret(), message)
        kid, secret = self.keys[0]
        return f"{kid}${_hex(secret, message)}"

    def verify(self, stored: str, message: str) -> bool:
        """Whether `stored` is the digest of `message` under the key it names; an unknown id fails closed."""
        kid, sep, digest = stored.rpartition("$")
        if not sep:
            secret = self.legacy_secret()
        else:
            secret = dict(self.keys).get(kid)
            if secret is None:
                _hex(self.legacy_secret(), message)  # the same work as a known id
                return False
        return hmac.compare_digest(digest, _hex(secret, message))


def _hex(secret: bytes, message: str) -> str:
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()


def query_code_keys() -> KeyRing:
    return KeyRing.parse(settings.XINFANG_QUERY_CODE_KEYS)
