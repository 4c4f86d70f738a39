"""The bundled payer policies (one TOML file each, beside this module) and their loader."""

from episodes._policy import Policy, Rule, Step

from ._loader import PolicyError, UnknownPolicy, available, load, load_file, parse

__all__ = [
    "Policy",
    "PolicyError",
    "Rule",
    "Step",
    "UnknownPolicy",
    "available",
    "load",
    "load_file",
    "parse",
]
