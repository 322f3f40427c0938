"""One `/audit run` per pull request per cooldown, counted in Redis."""

from __future__ import annotations

import redis

from app.store.keys import COOLDOWN_SECONDS, rerun_limit_key

# Take the PR's slot for this comment, or return the seconds left on another comment's slot. A retry
# of the same comment's job finds its own id there and goes on.
CLAIM_SCRIPT = """
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then
  local left = redis.call('TTL', KEYS[1])
  if left < 1 then left = 1 end
  return left
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 0
"""


def claim_rerun(client: redis.Redis, repo_id: int, pr_number: int, comment_id: int,
                cooldown: int = COOLDOWN_SECONDS) -> int:
    """Claim a PR's re-run slot for a comment; return 0 when granted, else the seconds to wait."""
    return int(client.eval(CLAIM_SCRIPT, 1, rerun_limit_key(repo_id, pr_number), comment_id, cooldown))
