"""Turns template source into a cached, sandboxed jinja2 template and renders it with limits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import limits
from .budget import RenderBudget, spending
from .compiler import EMPTY, STATE, Compiler, NodeInfo
from .failures import TemplateLimitFailure, TemplateReadFailure
from .parser import parse_template
from .runtime import RenderState, build_filters
from .values import EMPTY_DEFAULT

COMPILED_CACHE_SIZE = 256


def _environment() -> ImmutableSandboxedEnvironment:
    environment = ImmutableSandboxedEnvironment(
        autoescape=False,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
        # Folding constants would run our runtime operations at compile time, outside the
        # render budget; FreeMarker evaluates at render time too.
        optimized=False,
        cache_size=0,
    )
    # Only our own operations are reachable: no jinja filters, tests or globals (range, ...).
    environment.filters.clear()
    environment.tests.clear()
    environment.globals.clear()
    environment.filters.update(build_filters())
    return environment


ENVIRONMENT = _environment()


@dataclass(frozen=True)
class CompiledTemplate:
    template: Template
    node_infos: tuple[NodeInfo, ...]

    def render(self, metadata: Mapping[str, Any], clock: Callable[[], float]) -> str:
        budget = RenderBudget(clock)
        state = RenderState(metadata, budget)
        context = self.template.new_context({STATE: state, EMPTY: EMPTY_DEFAULT})
        pieces, length = [], 0
        with spending(budget):
            # Nodes outside loops run at most once: paid for up front, loops pay per iteration.
            budget.charge((len(self.node_infos) + 1) * limits.WORK_PER_NODE)
            for piece in self.template.root_render_func(context):
                length += len(piece)
                if length > limits.MAX_OUTPUT_CHARS:
                    raise TemplateLimitFailure(
                        f"The rendered text exceeds {limits.MAX_OUTPUT_CHARS:,} characters"
                    )
                budget.charge(len(piece))
                pieces.append(piece)
        budget.check_time()
        return "".join(pieces)


def check_template_size(source: str) -> None:
    if len(source) > limits.MAX_TEMPLATE_CHARS:
        raise TemplateReadFailure(
            f"The template has {len(source):,} characters; "
            f"the limit is {limits.MAX_TEMPLATE_CHARS:,}"
        )


@lru_cache(maxsize=COMPILED_CACHE_SIZE)
def compile_template(source: str) -> CompiledTemplate:
    """Parse and compile once per distinct source; failures are not cached (they raise)."""
    check_template_size(source)
    compiler = Compiler(source)
    tree = compiler.compile(parse_template(source))
    template = ENVIRONMENT.from_string(tree)
    return CompiledTemplate(template, tuple(compiler.node_infos))
