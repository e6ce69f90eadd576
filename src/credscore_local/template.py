"""Read `template.yaml` (AWS SAM) and resolve CloudFormation intrinsics for the embedded local stack.

The local stack, the tests and the packaging checks all read the template through this module, so resource names,
environment variables, policies and the state machine's substitutions have exactly one definition.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = REPO_ROOT / "template.yaml"

_SHORT_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    "Sub": "Fn::Sub",
    "GetAtt": "Fn::GetAtt",
    "Join": "Fn::Join",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
    "If": "Fn::If",
    "Equals": "Fn::Equals",
    "Not": "Fn::Not",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "FindInMap": "Fn::FindInMap",
    "Base64": "Fn::Base64",
    "GetAZs": "Fn::GetAZs",
    "ImportValue": "Fn::ImportValue",
}


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns `!Ref X` style short tags into their long `{"Ref": X}` form."""


def _make_constructor(long_name: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        value: Any
        if isinstance(node, yaml.ScalarNode):
            value = loader.construct_scalar(node)
            if long_name == "Fn::GetAtt" and isinstance(value, str):
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return {long_name: value}

    return construct


for _short, _long in _SHORT_TAGS.items():
    _CfnLoader.add_constructor(f"!{_short}", _make_constructor(_long))


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_CfnLoader)  # noqa: S506 - a SafeLoader subclass
    if not isinstance(data, dict) or "Resources" not in data:
        raise ValueError(f"{path} is not a CloudFormation template")
    return data


class UnresolvableError(ValueError):
    pass


@dataclass
class Resolver:
    """Resolves intrinsics against parameter values, pseudo parameters and already-known resource attributes."""

    parameters: dict[str, Any]
    pseudo: dict[str, str]
    refs: dict[str, str] = field(default_factory=dict)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)

    def resolve(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return self._ref(arg)
            if key == "Fn::GetAtt":
                logical, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._getatt(logical, attr)
            if key == "Fn::Sub":
                return self._sub(arg)
            if key == "Fn::Join":
                sep, items = arg
                return sep.join(str(x) for x in self.resolve(items))
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(items)[int(self.resolve(index))]
            if key == "Fn::Split":
                sep, text = arg
                return str(self.resolve(text)).split(sep)
            if key.startswith("Fn::"):
                raise UnresolvableError(f"{key} is not supported by the local stack")
        return {k: self.resolve(v) for k, v in node.items()}

    def _ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.refs:
            return self.refs[name]
        raise UnresolvableError(f"Ref {name} is not known yet")

    def _getatt(self, logical: str, attr: str) -> str:
        try:
            return self.attributes[(logical, attr)]
        except KeyError:
            raise UnresolvableError(f"GetAtt {logical}.{attr} is not known yet") from None

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg
            local = {k: self.resolve(v) for k, v in variables.items()}
        else:
            text, local = arg, {}

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in local:
                return str(local[name])
            if "." in name:
                logical, attr = name.split(".", 1)
                return str(self._getatt(logical, attr))
            return str(self._ref(name))

        return re.sub(r"\$\{([^}]+)\}", replace, text)


def dependencies(node: Any) -> set[str]:
    """Logical ids a template fragment refers to (Ref, GetAtt, ${X} and ${X.Attr} inside Sub)."""
    found: set[str] = set()
    if isinstance(node, list):
        for item in node:
            found |= dependencies(item)
    elif isinstance(node, dict):
        for key, arg in node.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                found.add(arg[0] if isinstance(arg, list) else arg.split(".", 1)[0])
            elif key == "Fn::Sub":
                text = arg[0] if isinstance(arg, list) else arg
                found |= {m.split(".", 1)[0] for m in re.findall(r"\$\{([^}!]+)\}", text)}
                if isinstance(arg, list):
                    found |= dependencies(arg[1])
            else:
                found |= dependencies(arg)
    return found


def creation_order(resources: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Topological order of logical ids so each resource comes after what it refers to."""
    deps = {
        name: {d for d in dependencies(body) if d in resources and d != name}
        for name, body in resources.items()
    }
    # The functions' Events point at other resources (e.g. the HTTP API) but are wired after creation.
    ordered: list[str] = []
    remaining = dict(deps)
    while remaining:
        ready = sorted(n for n, d in remaining.items() if d <= set(ordered))
        if not ready:
            raise ValueError(f"dependency cycle among {sorted(remaining)}")
        ordered.extend(ready)
        for n in ready:
            del remaining[n]
    return ordered


def parameter_defaults(
    template: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    values = {name: spec.get("Default") for name, spec in template.get("Parameters", {}).items()}
    values.update(overrides or {})
    missing = [k for k, v in values.items() if v is None]
    if missing:
        raise ValueError(f"template parameters without a value: {missing}")
    return values


@dataclass(frozen=True)
class FunctionSpec:
    """What the local Lambda runtime needs to run one function the way AWS would."""

    logical_id: str
    name: str
    code_dir: Path
    handler: str
    runtime: str
    timeout: int
    memory_mb: int
    environment: dict[str, str]
    layers: list[str]
    policies: list[Any]
    # The policies' statements with every intrinsic resolved (set once the resources exist); the local runtime
    # enforces them on the function's AWS calls (credscore_local.iam_guard). None: not enforced.
    policy_statements: list[dict[str, Any]] | None = None


def function_specs(template: Mapping[str, Any], resolver: Resolver) -> dict[str, FunctionSpec]:
    globals_fn = template.get("Globals", {}).get("Function", {})
    specs: dict[str, FunctionSpec] = {}
    for logical, body in template["Resources"].items():
        if body["Type"] != "AWS::Serverless::Function":
            continue
        props = body.get("Properties", {})
        env = dict(globals_fn.get("Environment", {}).get("Variables", {}))
        env.update(props.get("Environment", {}).get("Variables", {}))
        # SAM appends a function's Layers to the Globals ones.
        layers = [*globals_fn.get("Layers", []), *props.get("Layers", [])]
        specs[logical] = FunctionSpec(
            logical_id=logical,
            name=str(resolver.resolve(props["FunctionName"])),
            code_dir=REPO_ROOT / str(props["CodeUri"]),
            handler=str(props.get("Handler", globals_fn.get("Handler"))),
            runtime=str(props.get("Runtime", globals_fn.get("Runtime"))),
            timeout=int(props.get("Timeout", globals_fn.get("Timeout", 3))),
            memory_mb=int(props.get("MemorySize", globals_fn.get("MemorySize", 128))),
            environment={k: str(resolver.resolve(v)) for k, v in env.items()},
            layers=[layer["Ref"] for layer in layers if isinstance(layer, dict) and "Ref" in layer],
            policies=props.get("Policies", []),
        )
    return specs
