"""Each dataset's parameters are declared once, as the frozen dataclass `Params` of its
definition module: names, types, defaults and range checks (`__post_init__`, raising
ValueError with one line that names the parameter).

The builder's `datasets.BuilderConfig` is generated from that dataclass by `builder_config`,
so `--set key=value`, `Builder(config_name=..., key=value)`, `mmpriv list` and the card all
read the same declaration.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Params:
...     seed: int = 0
...     size: int = 8
...     def __post_init__(self):
...         if self.size < 1:
...             raise ValueError(f"size must be >= 1, got {self.size}")
>>> Config = builder_config(Params, "DemoConfig", __name__)
>>> Config(name="demo", size=3).params
Params(seed=0, size=3)
"""

from __future__ import annotations

import dataclasses

import datasets


def builder_config(params_class: type, name: str, module: str) -> type[datasets.BuilderConfig]:
    """A `datasets.BuilderConfig` subclass whose fields are `params_class`'s.

    `name` and `module` are where the class is bound (the builder module), so that worker
    processes can unpickle it. Constructing a config runs the parameter checks.
    """
    names = [f.name for f in dataclasses.fields(params_class)]

    def spec(f: dataclasses.Field) -> tuple:
        if f.default_factory is not dataclasses.MISSING:
            return f.name, f.type, dataclasses.field(default_factory=f.default_factory)
        return f.name, f.type, dataclasses.field(default=f.default)

    def __post_init__(self) -> None:
        datasets.BuilderConfig.__post_init__(self)
        self.params  # noqa: B018 - constructing Params runs its checks now, with one line

    def params(self):
        return params_class(**{key: getattr(self, key) for key in names})

    config_class = dataclasses.make_dataclass(
        name,
        [spec(f) for f in dataclasses.fields(params_class)],
        bases=(datasets.BuilderConfig,),
        namespace={"__post_init__": __post_init__, "params": property(params)},
    )
    config_class.__module__ = module
    config_class.__doc__ = f"Builder config: datasets.BuilderConfig + {params_class.__qualname__}."
    return config_class


def parameter_fields(params_class: type) -> dict[str, dataclasses.Field]:
    """The settable parameters, in declaration order (seed included)."""
    return {f.name: f for f in dataclasses.fields(params_class)}
