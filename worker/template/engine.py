"""Turns template source into a cached, sandboxed jinja2 template and renders it with limits."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import ImmutableSandboxedEnvironment

from . import limits, locales
from .budget import RenderBudget, spending
from .compiler import EMPTY, STATE, Compiler, NodeInfo
from .failures import TemplateLimitFailure, TemplateReadFailure
from .parser import parse_template
from .runtime import RenderState, build_filters
from .values import EMPTY_DEFAULT


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

    def render(
        self,
        metadata: Mapping[str, Any],
        clock: Callable[[], float],
        locale: str = locales.DEFAULT_LOCALE,
        time_zone: str = locales.DEFAULT_TIME_ZONE,
        budget: RenderBudget | None = None,
    ) -> str:
        """`budget`: one the caller made, to read what the render spent (tests, benchmarks)."""
        budget = budget or RenderBudget(clock)
        state = RenderState(metadata, budget)
        context = self.template.new_context({STATE: state, EMPTY: EMPTY_DEFAULT})
        pieces, length = [], 0
        with spending(budget), locales.rendering_in(locale, time_zone):
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


def compile_template(source: str) -> CompiledTemplate:
    """Parse and compile once per distinct source; failures are not cached (they raise)."""
    compiled = _CACHE.get(source)
    if compiled is None:
        check_template_size(source)
        compiler = Compiler(source)
        tree = compiler.compile(parse_template(source))
        template = ENVIRONMENT.from_string(tree)
        compiled = CompiledTemplate(template, tuple(compiler.node_infos))
        _CACHE.put(source, compiled, estimated_bytes(source, compiled))
    return compiled


def estimated_bytes(source: str, compiled: CompiledTemplate) -> int:
    """An upper estimate of what a compiled template keeps, from tracemalloc measurements
    (bench/hostile_templates.py): about 16 KiB fixed plus 260-500 bytes per node (its code
    and position table), plus its source as the cache key. The largest template allowed
    comes to about 3.3 MB."""
    return 16_384 + 768 * len(compiled.node_infos) + 4 * len(source)


class _SizedCache:
    """Least recently used out, bounded by the estimated size of what it holds, not by the
    number of entries: a few huge templates cannot hold as much as many small ones could."""

    def __init__(self, capacity_bytes: int) -> None:
        self.capacity_bytes = capacity_bytes
        self.held_bytes = 0
        self._entries: OrderedDict[str, tuple[CompiledTemplate, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, source: str) -> CompiledTemplate | None:
        with self._lock:
            entry = self._entries.get(source)
            if entry is None:
                return None
            self._entries.move_to_end(source)
            return entry[0]

    def put(self, source: str, compiled: CompiledTemplate, size: int) -> None:
        with self._lock:
            if source in self._entries or size > self.capacity_bytes:
                return
            self._entries[source] = (compiled, size)
            self.held_bytes += size
            while self.held_bytes > self.capacity_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self.held_bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.held_bytes = 0

    def __len__(self) -> int:
        return len(self._entries)


_CACHE = _SizedCache(limits.COMPILED_CACHE_BYTES)
