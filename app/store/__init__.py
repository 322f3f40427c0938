"""All of Verity's state in Redis, and the only code that imports `redis`.

`keys` holds the one table of every key's name, shape and TTL. `client` connects; `queue` dedupes
a webhook delivery and queues its job; `state` holds job claims, latest heads, check run ids, sent
annotations and installations; `acceptances` and `ratelimit` serve the slash commands; `facts` is
the facts cache every worker shares.
"""
