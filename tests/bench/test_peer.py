"""`make bench-peer`'s targets (bench/peer.py). Its runs need tofu and the peer Terraform
provider, which `make test` does not build; `make bench-peer` checks each run itself."""

from __future__ import annotations

from bench.peer import LARGE_REFRESH, _target


def test_refresh_at_the_large_n_has_its_target() -> None:
    row = {"series": LARGE_REFRESH, "operation": "refresh", "n": 1000, "latency_ms": 200, "defaults": False,
           "pulumi_env": {}}

    assert _target(row) == 0.5
    assert _target({**row, "latency_ms": 0}) is None
