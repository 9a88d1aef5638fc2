"""Resource names `jsmops import` derives from schedule names."""

from __future__ import annotations

from pulumi_jsmops.codegen import resource_name


def test_names_are_identifiers_unique_and_never_shadow_the_module() -> None:
    taken: set[str] = set()
    names = [resource_name(n, taken) for n in ["Ops / EU", "Ops EU", "24x7", "class", "jsmops", "!!!", "Jsmops"]]
    assert names == ["ops_eu", "ops_eu_2", "schedule_24x7", "schedule_class", "schedule_jsmops", "schedule",
                     "schedule_jsmops_2"]
    assert all(name.isidentifier() for name in names)
